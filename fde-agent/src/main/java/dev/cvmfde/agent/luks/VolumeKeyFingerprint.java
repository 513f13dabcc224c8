package dev.cvmfde.agent.luks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * {@code SHA-256("cvm-fde volume-key v1" ‖ volume key)}: what the image builder records of the
 * volume key it wrote, and what the agent compares (constant time) with the key the keyslot or
 * the device-mapper table yields. The context string keeps this hash from ever equalling a hash
 * of the same key made for another purpose (LUKS' own digest is PBKDF2 with a salt in the header
 * the host controls).
 */
public final class VolumeKeyFingerprint {
    public static final String CONTEXT = "cvm-fde volume-key v1";
    public static final int BYTES = 32;

    private VolumeKeyFingerprint() {
    }

    public static byte[] of(byte[] volumeKey) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(CONTEXT.getBytes(StandardCharsets.US_ASCII));
            sha.update(volumeKey);
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    }

    /** Constant time: whether {@code volumeKey}'s fingerprint is {@code expected}. */
    public static boolean matches(byte[] volumeKey, byte[] expected) {
        return MessageDigest.isEqual(of(volumeKey), expected);
    }
}
