package dev.cvmfde.client.cli;

import dev.cvmfde.client.verify.TrustAnchor;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * What evidence {@code verify} and {@code release} accept: the trust anchor (and its root), the
 * reference RIM, the key hash.json must be signed with, and whether the simulated TEE counts.
 * {@code --baseline} itself stays with each command: it needs an event log in a different way.
 */
final class EvidenceOptions {
    @Option(names = "--trust-anchor", required = true, paramLabel = "FILE",
            description = "Platform key (CPAK/IAK) or, for cVM-only tokens, the device AIK: PEM, JWK or certificates.")
    Path trustAnchor;

    @Option(names = "--trust-root", paramLabel = "FILE",
            description = "Root certificate the --trust-anchor chain must validate to (when not in that file).")
    Path trustRoot;

    @Option(names = "--rim", paramLabel = "HEX", description = "Reference realm initial measurement (32/48/64 bytes in hex).")
    String rim;

    @Option(names = "--baseline-signer", paramLabel = "PUBKEY",
            description = "Public key (JWK or PEM, P-256/P-384) that must have signed hash.json (<baseline>.jws beside it).")
    Path baselineSigner;

    @Option(names = "--allow-simulated", description = "Accept evidence from the simulated TEE (flagged loudly).")
    boolean allowSimulated;

    TrustAnchor loadTrustAnchor() throws Exception {
        return trustRoot == null ? TrustAnchor.load(trustAnchor) : TrustAnchor.load(trustAnchor, trustRoot);
    }

    /** The {@code --rim} bytes; malformed hex is a usage error. */
    Optional<byte[]> referenceRim(CommandSpec spec) {
        return rim == null ? Optional.empty() : Optional.of(Hex.parse(rim, "--rim", -1, spec));
    }
}
