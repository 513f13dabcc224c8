package dev.cvmfde.client.verify;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.refvalues.hashjson.HashJson;
import java.util.Objects;
import java.util.Optional;

/**
 * The operator's hash.json exactly as read (its signature covers these bytes), the detached JWS
 * beside it ({@code hash.json.jws}) if one was found, and the key that must have signed it. With
 * a signer, the verifier checks the signature at stage BASELINE before parsing the bytes; a
 * missing or bad signature refuses. Without a signer the bytes are trusted as given.
 */
public record ReferenceBaseline(byte[] hashJson, Optional<String> detachedJws, Optional<ECKey> signer) {
    public ReferenceBaseline {
        Objects.requireNonNull(hashJson, "hashJson");
        if (hashJson.length > HashJson.MAX_HASH_JSON_BYTES) {
            throw new IllegalArgumentException("hash.json is " + hashJson.length + " bytes; at most "
                    + HashJson.MAX_HASH_JSON_BYTES + " are allowed");
        }
        hashJson = hashJson.clone();
        Objects.requireNonNull(detachedJws, "detachedJws");
        Objects.requireNonNull(signer, "signer");
        if (signer.isPresent() && signer.get().isPrivate()) {
            throw new IllegalArgumentException("baseline signer key has a private part; give the public key");
        }
    }

    /** An unsigned baseline, trusted as given. */
    public static ReferenceBaseline unsigned(byte[] hashJson) {
        return new ReferenceBaseline(hashJson, Optional.empty(), Optional.empty());
    }

    /** A baseline that must carry {@code signer}'s signature ({@code detachedJws} may be absent: that refuses). */
    public static ReferenceBaseline signed(byte[] hashJson, Optional<String> detachedJws, ECKey signer) {
        return new ReferenceBaseline(hashJson, detachedJws, Optional.of(signer));
    }

    @Override
    public byte[] hashJson() {
        return hashJson.clone();
    }

    @Override
    public String toString() {
        return "ReferenceBaseline[" + hashJson.length + " B, signature " + (detachedJws.isPresent() ? "present" : "absent")
                + ", signer " + (signer.isPresent() ? "pinned" : "none") + "]";
    }
}
