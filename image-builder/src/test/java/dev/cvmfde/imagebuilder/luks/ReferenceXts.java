package dev.cvmfde.imagebuilder.luks;

import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Independent AES-XTS implementations for checking ours, one block at a time with the tweak
 * doubled byte by byte exactly as IEEE 1619 §5.2 writes it: one on Bouncy Castle's AES block
 * cipher, one on nothing but the JDK (AES/ECB, one block per call). Slow on purpose.
 */
public final class ReferenceXts {

    private ReferenceXts() {
    }

    /** Decrypts (or encrypts) one data unit in place with tweak value {@code unitNumber}. */
    public static void unit(byte[] key, boolean encrypt, byte[] data, int off, int len, long unitNumber) {
        int half = key.length / 2;
        byte[] k1 = java.util.Arrays.copyOfRange(key, 0, half);
        byte[] k2 = java.util.Arrays.copyOfRange(key, half, key.length);
        AESEngine data1 = new AESEngine();
        data1.init(encrypt, new KeyParameter(k1));
        AESEngine tweakCipher = new AESEngine();
        tweakCipher.init(true, new KeyParameter(k2));
        byte[] t = new byte[16];
        for (int i = 0; i < 8; i++) {
            t[i] = (byte) (unitNumber >>> (8 * i));
        }
        tweakCipher.processBlock(t, 0, t, 0);
        byte[] block = new byte[16];
        for (int p = off; p < off + len; p += 16) {
            for (int i = 0; i < 16; i++) {
                block[i] = (byte) (data[p + i] ^ t[i]);
            }
            data1.processBlock(block, 0, block, 0);
            for (int i = 0; i < 16; i++) {
                data[p + i] = (byte) (block[i] ^ t[i]);
            }
            doubleTweak(t);
        }
    }

    /** The same with only the JDK: {@code AES/ECB/NoPadding}, one 16-byte block per call. */
    public static void unitJdkOnly(byte[] key, boolean encrypt, byte[] data, int off, int len, long unitNumber)
            throws java.security.GeneralSecurityException {
        int half = key.length / 2;
        javax.crypto.Cipher data1 = javax.crypto.Cipher.getInstance("AES/ECB/NoPadding");
        data1.init(encrypt ? javax.crypto.Cipher.ENCRYPT_MODE : javax.crypto.Cipher.DECRYPT_MODE,
                new javax.crypto.spec.SecretKeySpec(key, 0, half, "AES"));
        javax.crypto.Cipher tweakCipher = javax.crypto.Cipher.getInstance("AES/ECB/NoPadding");
        tweakCipher.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(key, half, half, "AES"));
        byte[] iv = new byte[16];
        for (int i = 0; i < 8; i++) {
            iv[i] = (byte) (unitNumber >>> (8 * i));
        }
        byte[] t = tweakCipher.doFinal(iv);
        byte[] block = new byte[16];
        for (int p = off; p < off + len; p += 16) {
            for (int i = 0; i < 16; i++) {
                block[i] = (byte) (data[p + i] ^ t[i]);
            }
            byte[] c = data1.doFinal(block);
            for (int i = 0; i < 16; i++) {
                data[p + i] = (byte) (c[i] ^ t[i]);
            }
            doubleTweak(t);
        }
    }

    /** Multiplies the tweak by α (x) in GF(2^128), little-endian byte order (IEEE 1619). */
    private static void doubleTweak(byte[] t) {
        int carryIn = 0;
        for (int i = 0; i < 16; i++) {
            int b = t[i] & 0xff;
            t[i] = (byte) ((b << 1) | carryIn);
            carryIn = b >>> 7;
        }
        if (carryIn != 0) {
            t[0] ^= (byte) 0x87;
        }
    }

    /** Decrypts a LUKS payload: unit i (of {@code sectorSize}) has IV i × sectorSize/512. */
    public static void decryptPayload(byte[] key, byte[] data, int sectorSize, long firstByteOffsetInPayload) {
        for (int off = 0; off < data.length; off += sectorSize) {
            unit(key, false, data, off, sectorSize, (firstByteOffsetInPayload + off) / 512);
        }
    }
}
