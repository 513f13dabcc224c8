package dev.cvmfde.imagebuilder.luks.internal;

import dev.cvmfde.imagebuilder.luks.HashAlgorithm;
import dev.cvmfde.imagebuilder.luks.KdfSpec;
import dev.cvmfde.imagebuilder.luks.LuksException;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * PBKDF2 over raw passphrase bytes (the JDK's PBEKeySpec would re-encode chars) and Argon2id
 * (Bouncy Castle), as LUKS uses them. Callers zeroize the returned arrays.
 */
public final class KeyDerivation {

    /** Heap kept free beside argon2id's memory for the rest of the build. */
    private static final long ARGON2_HEAP_HEADROOM_BYTES = 64L * 1024 * 1024;

    private KeyDerivation() {
    }

    public static byte[] derive(KdfSpec kdf, byte[] passphrase, byte[] salt, int length) throws LuksException {
        return switch (kdf) {
            case KdfSpec.Pbkdf2 p -> pbkdf2(p.hash(), passphrase, salt, p.iterations(), length);
            case KdfSpec.Argon2id a -> argon2id(a, passphrase, salt, length);
        };
    }

    /** PBKDF2 (RFC 8018) with HMAC-{@code hash}. */
    public static byte[] pbkdf2(HashAlgorithm hash, byte[] password, byte[] salt, int iterations, int length) {
        try {
            Mac mac = Mac.getInstance(hash.jcaHmac());
            mac.init(new SecretKeySpec(password, hash.jcaHmac()));
            int hLen = mac.getMacLength();
            byte[] out = new byte[length];
            byte[] u = new byte[hLen];
            byte[] t = new byte[hLen];
            for (int block = 1, done = 0; done < length; block++) {
                mac.update(salt);
                mac.update(new byte[] {(byte) (block >>> 24), (byte) (block >>> 16), (byte) (block >>> 8), (byte) block});
                mac.doFinal(u, 0);
                System.arraycopy(u, 0, t, 0, hLen);
                for (int i = 1; i < iterations; i++) {
                    mac.update(u);
                    mac.doFinal(u, 0);
                    for (int j = 0; j < hLen; j++) {
                        t[j] ^= u[j];
                    }
                }
                int n = Math.min(hLen, length - done);
                System.arraycopy(t, 0, out, done, n);
                done += n;
            }
            Arrays.fill(u, (byte) 0);
            Arrays.fill(t, (byte) 0);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hash.jcaHmac() + " is not available in this JDK", e);
        }
    }

    private static byte[] argon2id(KdfSpec.Argon2id a, byte[] passphrase, byte[] salt, int length) throws LuksException {
        long needed = (long) a.memoryKiB() * 1024 + ARGON2_HEAP_HEADROOM_BYTES;
        long max = Runtime.getRuntime().maxMemory();
        if (needed > max) {
            throw new LuksException(LuksException.Step.KDF, "argon2id with " + a.memoryKiB() + " KiB needs about "
                    + (needed >> 20) + " MiB of heap but the JVM may use " + (max >> 20)
                    + " MiB; raise -Xmx or lower the argon2id memory");
        }
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt)
                .withIterations(a.iterations())
                .withMemoryAsKB(a.memoryKiB())
                .withParallelism(a.parallelism())
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        try {
            generator.generateBytes(passphrase, out);
        } catch (OutOfMemoryError e) {
            Arrays.fill(out, (byte) 0);
            throw new LuksException(LuksException.Step.KDF, "argon2id ran out of heap with " + a.memoryKiB()
                    + " KiB; raise -Xmx or lower the argon2id memory");
        }
        return out;
    }
}
