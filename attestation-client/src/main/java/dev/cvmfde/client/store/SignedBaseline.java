package dev.cvmfde.client.store;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.baseline.BaselineSignature;
import dev.cvmfde.refvalues.hashjson.HashJson;
import java.util.Objects;

/**
 * A baseline offered to the store ({@code image add}, {@code image rotate-baseline}): hash.json
 * exactly as read, its detached JWS ({@code hash.json.jws}) and the public key that must have
 * signed it. The store checks the signature and parses hash.json before it keeps anything (the
 * same checks a release makes at stage {@code baseline}), so an unsigned or edited baseline never
 * enters the store.
 */
public record SignedBaseline(byte[] hashJson, String detachedJws, ECKey signer) {
    public SignedBaseline {
        Objects.requireNonNull(hashJson, "hashJson");
        Objects.requireNonNull(detachedJws, "detachedJws");
        Objects.requireNonNull(signer, "signer");
        if (hashJson.length > HashJson.MAX_HASH_JSON_BYTES) {
            throw new IllegalArgumentException("hash.json is " + hashJson.length + " bytes; at most MAX_HASH_JSON_BYTES="
                    + HashJson.MAX_HASH_JSON_BYTES + " are allowed");
        }
        if (detachedJws.length() > BaselineSignature.MAX_JWS_CHARS) {
            throw new IllegalArgumentException("hash.json.jws is " + detachedJws.length()
                    + " characters; at most MAX_JWS_CHARS=" + BaselineSignature.MAX_JWS_CHARS + " are allowed");
        }
        if (signer.isPrivate()) {
            throw new IllegalArgumentException("baseline signer key has a private part; give the public key");
        }
        hashJson = hashJson.clone();
    }

    @Override
    public byte[] hashJson() {
        return hashJson.clone();
    }

    @Override
    public String toString() {
        return "SignedBaseline[" + hashJson.length + " B]";
    }
}
