package dev.cvmfde.client.cli;

import dev.cvmfde.client.verify.ReferenceBaseline;
import dev.cvmfde.protocol.baseline.BaselineSignature;
import dev.cvmfde.protocol.release.PinnedVerifierKey;
import dev.cvmfde.refvalues.hashjson.HashJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads hash.json (and its detached signature, with a signer) for {@code verify} and {@code release}. */
final class BaselineFiles {
    private BaselineFiles() {
    }

    /**
     * @param signer the key that must have signed hash.json, or null for an unsigned baseline
     * @param signature the detached JWS file, or null for {@code <baseline>.jws} (a missing file refuses later)
     */
    static ReferenceBaseline read(Path baseline, Path signer, Path signature) throws Exception {
        byte[] json = readBounded(baseline, HashJson.MAX_HASH_JSON_BYTES + 1);
        if (json.length > HashJson.MAX_HASH_JSON_BYTES) {
            throw new IOException(baseline + " is larger than MAX_HASH_JSON_BYTES=" + HashJson.MAX_HASH_JSON_BYTES);
        }
        if (signer == null) {
            return ReferenceBaseline.unsigned(json);
        }
        Path sig = signature != null ? signature
                : baseline.resolveSibling(baseline.getFileName() + BaselineSignature.FILE_SUFFIX);
        Optional<String> jws = Optional.empty();
        if (signature != null || Files.exists(sig)) {
            jws = Optional.of(new String(readBounded(sig, BaselineSignature.MAX_JWS_CHARS + 1), StandardCharsets.US_ASCII));
        }
        return ReferenceBaseline.signed(json, jws, PinnedVerifierKey.read(signer).publicKey());
    }

    /** Reads at most {@code limit} bytes: the verifier reports (refuses) anything at the limit as too large. */
    static byte[] readBounded(Path file, int limit) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(limit);
        }
    }
}
