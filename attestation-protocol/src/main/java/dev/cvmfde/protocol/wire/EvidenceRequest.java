package dev.cvmfde.protocol.wire;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Verifier → guest: asks for evidence bound to {@code nonce}, a fresh 64-byte random value
 * (base64url in JSON). The accessor returns a copy.
 */
public record EvidenceRequest(byte[] nonce) implements Message {

    public EvidenceRequest {
        if (nonce == null) {
            throw new IllegalArgumentException("nonce is required");
        }
        if (nonce.length != WireLimits.NONCE_BYTES) {
            throw new IllegalArgumentException("nonce holds " + nonce.length + " bytes; exactly "
                    + WireLimits.NONCE_BYTES + " are required");
        }
        nonce = nonce.clone();
    }

    /** A request with a fresh random nonce. */
    public static EvidenceRequest fresh(SecureRandom random) {
        byte[] nonce = new byte[WireLimits.NONCE_BYTES];
        random.nextBytes(nonce);
        return new EvidenceRequest(nonce);
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    @Override
    public MessageType type() {
        return MessageType.EVIDENCE_REQUEST;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EvidenceRequest other && Arrays.equals(nonce, other.nonce);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(nonce);
    }

    @Override
    public String toString() {
        return "EvidenceRequest[nonce=" + HexFormat.of().formatHex(nonce, 0, 8) + "…]";
    }
}
