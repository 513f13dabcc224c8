package dev.cvmfde.protocol.token;

import dev.cvmfde.protocol.token.internal.RakCodec;
import java.security.PublicKey;
import java.util.Objects;

/**
 * The realm attestation key from claim 44237: the exact claim bytes (the platform challenge
 * binds a hash of these bytes), how they are encoded, and the decoded public key.
 */
public record RealmAttestationKey(byte[] claimBytes, RakEncoding encoding, PublicKey publicKey) {

    public RealmAttestationKey {
        claimBytes = claimBytes.clone();
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(publicKey, "publicKey");
    }

    /** Reads claim bytes in any of the three encodings (the form is detected from the bytes). */
    public static RealmAttestationKey parse(byte[] claimBytes) throws TokenDecodeException {
        return RakCodec.parse(claimBytes.clone());
    }

    /** Encodes {@code key} in {@code encoding} (EC keys: raw point or COSE_Key; any key: DER SPKI). */
    public static RealmAttestationKey of(PublicKey key, RakEncoding encoding) {
        return new RealmAttestationKey(RakCodec.encode(key, encoding), encoding, key);
    }

    /** The claim bytes exactly as they appear in the token (a copy). */
    @Override
    public byte[] claimBytes() {
        return claimBytes.clone();
    }

    @Override
    public String toString() {
        return "RealmAttestationKey[" + encoding + ", " + publicKey.getAlgorithm() + ", " + claimBytes.length + " B]";
    }
}
