package dev.cvmfde.imagebuilder.luks.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-XTS (IEEE 1619) over whole data units, with the dm-crypt {@code plain64} tweak (the
 * unit's IV as a 64-bit little-endian number). The hot path is arranged for the JDK's AES
 * intrinsics: a batch's tweaks come from one ECB call, the tweak chain (multiply by x in
 * GF(2^128)) runs on two longs, the XORs go through a long view of the byte array, and the
 * whole batch is enciphered by one ECB call. Not thread-safe: one instance per thread.
 */
public final class AesXts implements AutoCloseable {

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int BLOCK = 16;
    /** Reduction constant of the XTS field polynomial x^128 + x^7 + x^2 + x + 1. */
    private static final long GF_128_FEEDBACK = 0x87L;
    /**
     * Bytes per ECB call. Small enough that data, tweaks and scratch stay in L2 across the
     * three passes, and that the JIT sees enough calls to compile the JDK's AES-ECB path with
     * its vector (VAES) intrinsic; large enough that per-call overhead is noise.
     */
    static final int BATCH_BYTES = 64 * 1024;

    private final int unitSize;
    private final Cipher dataCipher;
    private final Cipher tweakCipher;
    private final boolean encrypt;
    private byte[] tweaks = new byte[0];
    private byte[] scratch = new byte[0];
    private byte[] enciphered = new byte[0];

    /**
     * @param key      K1 ‖ K2: 64 bytes for AES-256-XTS, 32 bytes for AES-128-XTS; copied
     * @param unitSize bytes per data unit (the sector size), a multiple of 16
     * @param encrypt  true to encrypt, false to decrypt
     */
    public AesXts(byte[] key, int unitSize, boolean encrypt) {
        if (key.length != 32 && key.length != 64) {
            throw new IllegalArgumentException("XTS key holds " + key.length
                    + " bytes; 32 (AES-128-XTS) or 64 (AES-256-XTS) are allowed");
        }
        if (unitSize < BLOCK || unitSize % BLOCK != 0) {
            throw new IllegalArgumentException("XTS data unit of " + unitSize
                    + " bytes; a positive multiple of 16 is required");
        }
        this.unitSize = unitSize;
        this.encrypt = encrypt;
        int half = key.length / 2;
        try {
            dataCipher = Cipher.getInstance("AES/ECB/NoPadding");
            tweakCipher = Cipher.getInstance("AES/ECB/NoPadding");
            dataCipher.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE,
                    new SecretKeySpec(key, 0, half, "AES"));
            tweakCipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, half, half, "AES"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/ECB/NoPadding is not available in this JDK", e);
        }
    }

    public int unitSize() {
        return unitSize;
    }

    /**
     * Transforms {@code length} bytes (whole units) from {@code in} to {@code out} (which may be
     * the same array at the same offset). Unit {@code i} uses IV {@code firstIv + i * ivStep}.
     */
    public void process(byte[] in, int inOff, byte[] out, int outOff, int length, long firstIv, long ivStep) {
        if (length % unitSize != 0) {
            throw new IllegalArgumentException("length " + length + " is not a multiple of the "
                    + unitSize + "-byte data unit");
        }
        int batch = ensureBatchBuffers();
        for (int done = 0; done < length; done += batch) {
            int n = Math.min(batch, length - done);
            processBatch(in, inOff + done, out, outOff + done, n, firstIv + (long) (done / unitSize) * ivStep, ivStep);
        }
    }

    /**
     * Transforms {@code length} bytes (whole units) of {@code buffer} in place from absolute
     * index {@code offset}; the buffer's position and limit are not used or changed. With a
     * direct buffer, this is the I/O buffer itself: no copy besides the cipher's own passes.
     */
    public void process(ByteBuffer buffer, int offset, int length, long firstIv, long ivStep) {
        if (length % unitSize != 0) {
            throw new IllegalArgumentException("length " + length + " is not a multiple of the "
                    + unitSize + "-byte data unit");
        }
        int batch = ensureBatchBuffers();
        for (int done = 0; done < length; done += batch) {
            int n = Math.min(batch, length - done);
            buffer.get(offset + done, scratch, 0, n);
            encipherScratch(n, firstIv + (long) (done / unitSize) * ivStep, ivStep);
            buffer.put(offset + done, enciphered, 0, n);
        }
    }

    private int ensureBatchBuffers() {
        int batch = Math.max(unitSize, BATCH_BYTES / unitSize * unitSize);
        if (tweaks.length < batch) {
            tweaks = new byte[batch];
            scratch = new byte[batch];
            enciphered = new byte[batch];
        }
        return batch;
    }

    private void processBatch(byte[] in, int inOff, byte[] out, int outOff, int length, long firstIv, long ivStep) {
        System.arraycopy(in, inOff, scratch, 0, length);
        encipherScratch(length, firstIv, ivStep);
        System.arraycopy(enciphered, 0, out, outOff, length);
    }

    /** enciphered = XTS(scratch) for {@code length} bytes; scratch is clobbered. */
    private void encipherScratch(int length, long firstIv, long ivStep) {
        byte[] t = tweakStream(length / unitSize, firstIv, ivStep);
        // Every XOR loop indexes its arrays with the same index, which C2 turns into SIMD; ECB
        // runs out of place (the JDK copies the whole input when input and output are one array).
        xorInto(scratch, t, length);
        try {
            int done = dataCipher.doFinal(scratch, 0, length, enciphered, 0);
            if (done != length) {
                throw new IllegalStateException("AES/ECB returned " + done + " bytes for " + length);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/ECB failed on whole blocks", e);
        }
        xorInto(enciphered, t, length);
    }

    /** a ^= b over the first {@code length} bytes. */
    private static void xorInto(byte[] a, byte[] b, int length) {
        for (int i = 0; i < length; i++) {
            a[i] ^= b[i];
        }
    }

    /**
     * The tweak of every block of the batch: each unit's first tweak from one ECB call over the
     * IVs (written at the start of the unit's slot), then the chain T(j+1) = T(j)·x on two longs.
     */
    private byte[] tweakStream(int units, long firstIv, long ivStep) {
        for (int i = 0; i < units; i++) {
            LONGS.set(enciphered, i * BLOCK, firstIv + i * ivStep);
            LONGS.set(enciphered, i * BLOCK + 8, 0L);
        }
        try {
            // The IVs are staged in `enciphered`, free until the data ECB call; scratch holds data.
            tweakCipher.doFinal(enciphered, 0, units * BLOCK, tweaks, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/ECB failed on whole blocks", e);
        }
        // Spread the initial tweaks from the front to each unit's slot, last unit first so
        // nothing is overwritten before it is read, then walk each unit's chain.
        int blocksPerUnit = unitSize / BLOCK;
        for (int u = units - 1; u >= 0; u--) {
            long lo = (long) LONGS.get(tweaks, u * BLOCK);
            long hi = (long) LONGS.get(tweaks, u * BLOCK + 8);
            int p = u * unitSize;
            for (int b = 0; b < blocksPerUnit; b++) {
                LONGS.set(tweaks, p, lo);
                LONGS.set(tweaks, p + 8, hi);
                long carry = hi >> 63;
                hi = (hi << 1) | (lo >>> 63);
                lo = (lo << 1) ^ (carry & GF_128_FEEDBACK);
                p += BLOCK;
            }
        }
        return tweaks;
    }

    public boolean encrypts() {
        return encrypt;
    }

    /**
     * Best-effort wipe: the tweak buffer is zeroed and both ciphers are re-keyed with a zero key
     * so the JDK's expanded AES key schedule no longer holds the volume key.
     */
    @Override
    public void close() {
        Arrays.fill(tweaks, (byte) 0);
        Arrays.fill(scratch, (byte) 0);
        Arrays.fill(enciphered, (byte) 0);
        byte[] zero = new byte[32];
        try {
            dataCipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(zero, "AES"));
            tweakCipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(zero, "AES"));
        } catch (GeneralSecurityException e) {
            // re-keying with a valid 256-bit key cannot fail; nothing secret to report
        }
    }

    @Override
    public String toString() {
        return "AesXts[unit=" + unitSize + ", " + (encrypt ? "encrypt" : "decrypt") + ", key redacted]";
    }
}
