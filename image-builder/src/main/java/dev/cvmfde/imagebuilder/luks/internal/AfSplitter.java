package dev.cvmfde.imagebuilder.luks.internal;

import dev.cvmfde.imagebuilder.luks.HashAlgorithm;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The LUKS anti-forensic splitter: a key becomes {@code stripes} blocks of which all but the
 * last are random; the running XOR of the blocks is passed through the hash "diffuser" after
 * each one, and the last block is that result XOR the key. Losing any stripe loses the key.
 */
public final class AfSplitter {

    private AfSplitter() {
    }

    /** Splits {@code key} into {@code key.length × stripes} bytes. */
    public static byte[] split(byte[] key, int stripes, HashAlgorithm hash, SecureRandom random) {
        int n = key.length;
        byte[] out = new byte[n * stripes];
        byte[] acc = new byte[n];
        MessageDigest md = digest(hash);
        byte[] randomStripes = new byte[n * (stripes - 1)];
        random.nextBytes(randomStripes);
        System.arraycopy(randomStripes, 0, out, 0, randomStripes.length);
        Arrays.fill(randomStripes, (byte) 0);
        for (int i = 0; i < stripes - 1; i++) {
            for (int j = 0; j < n; j++) {
                acc[j] ^= out[i * n + j];
            }
            diffuse(acc, md);
        }
        for (int j = 0; j < n; j++) {
            out[(stripes - 1) * n + j] = (byte) (acc[j] ^ key[j]);
        }
        Arrays.fill(acc, (byte) 0);
        return out;
    }

    /** Recovers a {@code keyLength}-byte key from split material. */
    public static byte[] merge(byte[] material, int keyLength, int stripes, HashAlgorithm hash) {
        byte[] acc = new byte[keyLength];
        MessageDigest md = digest(hash);
        for (int i = 0; i < stripes - 1; i++) {
            for (int j = 0; j < keyLength; j++) {
                acc[j] ^= material[i * keyLength + j];
            }
            diffuse(acc, md);
        }
        for (int j = 0; j < keyLength; j++) {
            acc[j] ^= material[(stripes - 1) * keyLength + j];
        }
        return acc;
    }

    /** Each digest-sized piece i becomes H(be32(i) ‖ piece), truncated for a short last piece. */
    private static void diffuse(byte[] buf, MessageDigest md) {
        int ds = md.getDigestLength();
        for (int i = 0, off = 0; off < buf.length; i++, off += ds) {
            int len = Math.min(ds, buf.length - off);
            md.update(new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
            md.update(buf, off, len);
            byte[] h = md.digest();
            System.arraycopy(h, 0, buf, off, len);
            Arrays.fill(h, (byte) 0);
        }
    }

    private static MessageDigest digest(HashAlgorithm hash) {
        try {
            return MessageDigest.getInstance(hash.jcaDigest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hash.jcaDigest() + " is not available in this JDK", e);
        }
    }
}
