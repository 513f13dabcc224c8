package dev.cvmfde.imagebuilder.rootfs;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import dev.cvmfde.imagebuilder.disk.AtomicOutput;
import dev.cvmfde.imagebuilder.rootfs.internal.BaselineUpdate;
import dev.cvmfde.protocol.baseline.BaselineSignature;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.HashJson;
import dev.cvmfde.refvalues.hashjson.HashJsonException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Signs a hash.json the builder did not write itself (a hand-made baseline, or one whose RIM
 * became known after the build): optionally sets {@code "rim"} and {@code "simulated": true},
 * then writes {@code FILE.jws} over the exact bytes. Without changes the bytes are signed as
 * they are; with changes the file is rewritten first (atomically).
 */
public final class BaselineSigning {
    private BaselineSigning() {
    }

    /** What was signed: the hash.json, its signature, and the key. */
    public record Signed(Path hashJson, Path signature, BaselineSigningKey signer) {
    }

    public static Signed sign(Path hashJson, Optional<String> rim, boolean simulated, Path keyFile)
            throws IOException, EncryptException {
        BaselineSigningKey signer = BaselineSigningKey.loadOrCreate(keyFile);
        byte[] bytes = Files.readAllBytes(hashJson);
        if (bytes.length > HashJson.MAX_HASH_JSON_BYTES) {
            throw new EncryptException(EncryptException.Step.BASELINE, hashJson + " is larger than "
                    + HashJson.MAX_HASH_JSON_BYTES + " bytes");
        }
        Baseline baseline;
        try {
            baseline = HashJson.parse(bytes);
        } catch (HashJsonException e) {
            throw new EncryptException(EncryptException.Step.BASELINE, hashJson + ": " + e.getMessage(), e);
        }
        if (rim.isPresent() || simulated) {
            JsonNode oldRim = baseline.extraFields().get(BaselineUpdate.RIM_FIELD);
            JsonNode oldSimulated = baseline.extraFields().get(BaselineUpdate.SIMULATED_FIELD);
            Optional<String> newRim = rim.or(() -> Optional.ofNullable(oldRim).map(JsonNode::asText));
            boolean newSimulated = simulated || oldSimulated != null && oldSimulated.asBoolean(false);
            bytes = HashJson.toBytes(BaselineUpdate.withPolicy(baseline, newRim, newSimulated));
            try (AtomicOutput out = AtomicOutput.create(hashJson)) {
                Files.write(out.tempFile(), bytes);
                out.commit();
            }
        }
        Path jws = hashJson.resolveSibling(hashJson.getFileName() + BaselineSignature.FILE_SUFFIX);
        String signature;
        try {
            signature = BaselineSignature.sign(bytes, signer.key());
        } catch (JOSEException | IllegalArgumentException e) {
            throw new EncryptException(EncryptException.Step.BASELINE, "signing with " + keyFile + " failed ("
                    + e.getClass().getSimpleName() + ")");
        }
        try (AtomicOutput out = AtomicOutput.create(jws)) {
            Files.writeString(out.tempFile(), signature + "\n", StandardCharsets.US_ASCII);
            out.commit();
        }
        return new Signed(hashJson, jws, signer);
    }
}
