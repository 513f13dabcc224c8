package dev.cvmfde.server.cli;

import dev.cvmfde.protocol.files.AtomicFiles;
import dev.cvmfde.server.provider.EvidenceProvider;
import dev.cvmfde.server.provider.RawEvidence;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import dev.cvmfde.server.provider.ProviderOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code attestation-server evidence}: one token for a given challenge, written to a file. */
@Command(name = "evidence", mixinStandardHelpOptions = true,
        description = {"Ask the provider once for evidence bound to a challenge and write the raw token",
            "(and the event log) atomically. For debugging and collecting samples; no network."},
        footerHeading = "%nExample:%n",
        footer = "  attestation-server evidence --provider tsm --challenge $(head -c64 /dev/urandom | xxd -p -c64) -o token.cbor",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:evidence written",
            "1:the provider failed or a file could not be written",
            "2:usage: bad challenge or unknown provider",
            "3:not returned"})
final class EvidenceCommand implements Callable<Integer> {
    @ParentCommand
    AttestationServerCli root;

    @Option(names = "--provider", paramLabel = "NAME", required = true, description = "tsm, virtcca or simulated.")
    String provider;

    @Mixin
    SimulatedOptions simulated = new SimulatedOptions();

    @Option(names = "--challenge", paramLabel = "HEX", required = true,
            description = "Exactly 64 bytes as 128 hex digits (the CCA realm challenge).")
    String challengeHex;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", required = true, description = "Where the token goes.")
    Path out;

    @Option(names = "--event-log-out", paramLabel = "FILE", description = "Where the event log (CCEL) goes, if any.")
    Path eventLogOut;

    @Override
    public Integer call() throws Exception {
        byte[] challenge = parseChallenge(challengeHex);
        EvidenceProvider source = root.providers.byName(provider, simulated.apply(ProviderOptions.defaults()));
        RawEvidence evidence = source.collect(challenge);
        AtomicFiles.replace(out, evidence.token(), false);
        root.err.println("attestation-server: token from " + evidence.provider() + " (" + evidence.token().length
                + " bytes) written to " + out);
        Optional<byte[]> log = evidence.eventLog();
        if (eventLogOut != null) {
            if (log.isPresent()) {
                AtomicFiles.replace(eventLogOut, log.get(), false);
                root.err.println("attestation-server: event log (" + log.get().length + " bytes) written to " + eventLogOut);
            } else {
                root.err.println("attestation-server: the platform has no event log; " + eventLogOut + " not written");
            }
        }
        return ExitCodes.OK;
    }

    static byte[] parseChallenge(String hex) throws UsageException {
        String trimmed = hex.strip();
        if (trimmed.length() != 2 * EvidenceProvider.CHALLENGE_BYTES || !trimmed.matches("[0-9A-Fa-f]+")) {
            throw new UsageException("--challenge holds " + trimmed.length() + " characters; exactly "
                    + 2 * EvidenceProvider.CHALLENGE_BYTES + " hex digits (" + EvidenceProvider.CHALLENGE_BYTES
                    + " bytes) are required");
        }
        return HexFormat.of().parseHex(trimmed);
    }
}
