package dev.cvmfde.imagebuilder.luks.internal;

import dev.cvmfde.imagebuilder.luks.HashAlgorithm;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The check value that tells a correct volume key from a wrong one: PBKDF2 of the volume key
 * with its own salt. LUKS2 stores the full hash length; LUKS1 stores 20 bytes.
 */
public record VolumeKeyDigest(HashAlgorithm hash, int iterations, byte[] salt, byte[] digest) {

    /** cryptsetup's minimum digest iterations; the volume key is random, so more adds nothing. */
    public static final int ITERATIONS = 1000;

    public static VolumeKeyDigest compute(HashAlgorithm hash, byte[] volumeKey, int length, SecureRandom random) {
        byte[] salt = new byte[SealedKeyslot.SALT_BYTES];
        random.nextBytes(salt);
        return new VolumeKeyDigest(hash, ITERATIONS, salt, KeyDerivation.pbkdf2(hash, volumeKey, salt, ITERATIONS, length));
    }

    /** Constant-time check of a candidate volume key. */
    public boolean matches(byte[] candidate) {
        byte[] d = KeyDerivation.pbkdf2(hash, candidate, salt, iterations, digest.length);
        try {
            return MessageDigest.isEqual(d, digest);
        } finally {
            Arrays.fill(d, (byte) 0);
        }
    }
}
