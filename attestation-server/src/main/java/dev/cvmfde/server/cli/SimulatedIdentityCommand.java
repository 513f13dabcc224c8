package dev.cvmfde.server.cli;

import dev.cvmfde.server.provider.simulated.SimulatedIdentity;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code attestation-server simulated-identity --out DIR --anchor-out DIR}: a new simulated TEE identity, exported. */
@Command(name = "simulated-identity", mixinStandardHelpOptions = true,
        description = {"Make a simulated TEE identity (CPAK and RAK, P-384) and write it to two directories:",
            "  --out DIR          the guest's: simulated-cpak.private.jwk, simulated-rak.private.jwk (mode 0600),",
            "                     simulated-rak.pub.jwk (what the guest signs with; it may go onto an image)",
            "  --anchor-out DIR   the host's: simulated-cpak.pub.pem / .pub.jwk, the anchor the verifier is given",
            "The two must differ: no private key ever lies beside the anchor, and the host pins the anchor from its",
            "own copy, never from an image. The guest then serves with --provider simulated --simulated-identity",
            "DIR, and the host verifies with --simulated-anchor ANCHOR_DIR/simulated-cpak.pub.pem.",
            "Existing files are never replaced."},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:identity written", "1:a file could not be written or already exists", "2:usage", "3:not returned"})
final class SimulatedIdentityCommand implements Callable<Integer> {
    @ParentCommand
    AttestationServerCli root;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "The guest's identity: private CPAK and RAK (created if missing).")
    Path out;

    @Option(names = "--anchor-out", paramLabel = "DIR", required = true,
            description = "The host's anchor: public CPAK only (created if missing; not --out).")
    Path anchorOut;

    @Override
    public Integer call() throws Exception {
        SimulatedIdentity identity = SimulatedIdentity.generate();
        identity.export(out, anchorOut);
        root.err.println("attestation-server: simulated identity (CPAK " + identity.cpakThumbprint() + ") written to "
                + out + "; the host's anchor (--simulated-anchor): " + anchorOut.resolve(SimulatedIdentity.CPAK_PUBLIC_PEM));
        root.err.println("attestation-server: SIMULATED keys prove nothing about a guest; development and tests only");
        return ExitCodes.OK;
    }
}
