package dev.cvmfde.server.cli;

import dev.cvmfde.server.provider.ProviderOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options of the simulated provider (ignored by the others). */
final class SimulatedOptions {
    @Option(names = "--simulated-identity", paramLabel = "DIR",
            description = "simulated: load the CPAK/RAK from DIR (made by 'simulated-identity --out DIR');"
                    + " without it, fresh keys on every start.")
    Path identity;

    @Option(names = "--simulated-event-log", paramLabel = "FILE",
            description = "simulated: CCEL-form event log to report; its replay gives the RIM and REMs."
                    + " Without it, the platform's CCEL if any.")
    Path eventLog;

    ProviderOptions apply(ProviderOptions options) {
        ProviderOptions result = options;
        if (identity != null) {
            result = result.withSimulatedIdentity(identity);
        }
        if (eventLog != null) {
            result = result.withSimulatedEventLog(eventLog);
        }
        return result;
    }
}
