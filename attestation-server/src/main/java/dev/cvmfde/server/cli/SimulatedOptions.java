package dev.cvmfde.server.cli;

import dev.cvmfde.server.provider.ProviderOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options of the simulated and tpm providers (each ignored by the others). */
final class SimulatedOptions {
    @Option(names = "--simulated-identity", paramLabel = "DIR",
            description = "simulated: load the CPAK/RAK from DIR (made by 'simulated-identity --out DIR');"
                    + " without it, fresh keys on every start.")
    Path identity;

    @Option(names = "--simulated-event-log", paramLabel = "FILE",
            description = "simulated: CCEL-form event log to report; its replay gives the RIM and REMs."
                    + " Without it, the platform's CCEL if any.")
    Path eventLog;

    @Option(names = "--tpm-device", paramLabel = "DEVICE",
            description = "tpm: the TPM: a device (default /dev/tpmrm0) or tcp:HOST:PORT (swtpm's TCP command port,"
                    + " development and tests).")
    String tpmDevice;

    @Option(names = "--tpm-event-log", paramLabel = "FILE",
            description = "tpm: the firmware's TCG2 event log (default"
                    + " /sys/kernel/security/tpm0/binary_bios_measurements).")
    Path tpmEventLog;

    ProviderOptions apply(ProviderOptions options) {
        ProviderOptions result = options;
        if (tpmDevice != null) {
            result = result.withTpmDevice(tpmDevice);
        }
        if (tpmEventLog != null) {
            result = result.withTpmEventLog(tpmEventLog);
        }
        if (identity != null) {
            result = result.withSimulatedIdentity(identity);
        }
        if (eventLog != null) {
            result = result.withSimulatedEventLog(eventLog);
        }
        return result;
    }
}
