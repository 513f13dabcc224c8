package dev.cvmfde.protocol.wire;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The challenge the guest hands the TEE, binding the evidence to the verifier's nonce and to the
 * guest's ephemeral key: {@code SHA-512(nonce ‖ thumbprint)}, exactly 64 bytes (the CCA
 * challenge size), where {@code nonce} is the request's 64 bytes and {@code thumbprint} is the
 * raw 32-byte RFC 7638 SHA-256 JWK thumbprint of the ephemeral public key, i.e. SHA-256 of the
 * UTF-8 bytes of {@code {"crv":"P-384","kty":"EC","x":"…","y":"…"}} (members in that order, no
 * whitespace, coordinates unpadded base64url). 128 bytes are hashed. Guest and verifier both
 * call this; the verifier compares with {@link #matches}.
 */
public final class ChallengeBinding {
    /** Length of the challenge, and of the CCA realm challenge claim. */
    public static final int CHALLENGE_BYTES = 64;
    /** Length of the raw SHA-256 thumbprint. */
    public static final int THUMBPRINT_BYTES = 32;

    private ChallengeBinding() {
    }

    /** {@code SHA-512(nonce ‖ thumbprint(ephemeralKey))}; {@code nonce} must be 64 bytes. */
    public static byte[] challenge(byte[] nonce, ECKey ephemeralKey) {
        if (nonce == null || nonce.length != WireLimits.NONCE_BYTES) {
            throw new IllegalArgumentException("nonce must hold exactly " + WireLimits.NONCE_BYTES + " bytes");
        }
        MessageDigest sha512 = digest("SHA-512");
        sha512.update(nonce);
        sha512.update(thumbprint(ephemeralKey));
        return sha512.digest();
    }

    /** Constant-time check that {@code challenge} is the binding of {@code nonce} and the key. */
    public static boolean matches(byte[] challenge, byte[] nonce, ECKey ephemeralKey) {
        return challenge != null && MessageDigest.isEqual(challenge, challenge(nonce, ephemeralKey));
    }

    /** The raw 32-byte RFC 7638 SHA-256 thumbprint of the key's public part. */
    public static byte[] thumbprint(ECKey key) {
        try {
            return key.toPublicJWK().computeThumbprint("SHA-256").decode();
        } catch (JOSEException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is not available", e);
        }
    }
}
