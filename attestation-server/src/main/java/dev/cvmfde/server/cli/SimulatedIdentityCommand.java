package dev.cvmfde.server.cli;

import dev.cvmfde.server.provider.simulated.SimulatedIdentity;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code attestation-server simulated-identity --out DIR}: a new simulated TEE identity, exported. */
@Command(name = "simulated-identity", mixinStandardHelpOptions = true,
        description = {"Make a simulated TEE identity (CPAK and RAK, P-384) and write it to DIR:",
            "  simulated-cpak.pub.pem / .pub.jwk   the trust anchor a host must be given explicitly",
            "  simulated-cpak.private.jwk, simulated-rak.private.jwk (mode 0600), simulated-rak.pub.jwk",
            "The guest then serves with --provider simulated --simulated-identity DIR, and the host verifies",
            "with --trust-anchor DIR/simulated-cpak.pub.pem --allow-simulated. Existing files are never replaced."},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:identity written", "1:a file could not be written or already exists", "2:usage", "3:not returned"})
final class SimulatedIdentityCommand implements Callable<Integer> {
    @ParentCommand
    AttestationServerCli root;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Directory to write (created if missing).")
    Path out;

    @Override
    public Integer call() throws Exception {
        SimulatedIdentity identity = SimulatedIdentity.generate();
        identity.export(out);
        root.err.println("attestation-server: simulated identity (CPAK " + identity.cpakThumbprint() + ") written to "
                + out + "; trust anchor: " + out.resolve(SimulatedIdentity.CPAK_PUBLIC_PEM));
        root.err.println("attestation-server: SIMULATED keys prove nothing about a guest; development and tests only");
        return ExitCodes.OK;
    }
}
