package dev.cvmfde.protocol.cose.internal;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Optional;

/**
 * Converts ECDSA signatures between the COSE raw form (r‖s, each padded to the field size)
 * and the ASN.1 DER form JCA and virtCCA firmware use. DER parsing is strict: one SEQUENCE
 * of exactly two positive minimal INTEGERs, short or one-byte long lengths, nothing after.
 */
public final class EcdsaSignatures {

    private EcdsaSignatures() {
    }

    /** DER → raw r‖s, or empty when {@code der} is not a strict DER ECDSA signature that fits. */
    public static Optional<byte[]> derToRaw(byte[] der, int fieldBytes) {
        int[] pos = {0};
        if (der.length < 8 || der[0] != 0x30) {
            return Optional.empty();
        }
        pos[0] = 1;
        int seqLen = length(der, pos);
        if (seqLen < 0 || pos[0] + seqLen != der.length) {
            return Optional.empty();
        }
        byte[] r = integer(der, pos);
        byte[] s = r == null ? null : integer(der, pos);
        if (s == null || pos[0] != der.length || r.length > fieldBytes || s.length > fieldBytes) {
            return Optional.empty();
        }
        byte[] raw = new byte[2 * fieldBytes];
        System.arraycopy(r, 0, raw, fieldBytes - r.length, r.length);
        System.arraycopy(s, 0, raw, 2 * fieldBytes - s.length, s.length);
        return Optional.of(raw);
    }

    /** Raw r‖s → DER. */
    public static byte[] rawToDer(byte[] raw) {
        int half = raw.length / 2;
        byte[] r = new BigInteger(1, Arrays.copyOfRange(raw, 0, half)).toByteArray();
        byte[] s = new BigInteger(1, Arrays.copyOfRange(raw, half, raw.length)).toByteArray();
        int body = 2 + r.length + lenBytes(r.length) - 1 + 2 + s.length + lenBytes(s.length) - 1;
        byte[] out = new byte[1 + lenBytes(body) + body];
        int p = 0;
        out[p++] = 0x30;
        p = putLen(out, p, body);
        out[p++] = 0x02;
        p = putLen(out, p, r.length);
        System.arraycopy(r, 0, out, p, r.length);
        p += r.length;
        out[p++] = 0x02;
        p = putLen(out, p, s.length);
        System.arraycopy(s, 0, out, p, s.length);
        return out;
    }

    private static int lenBytes(int len) {
        return len < 128 ? 1 : 2;
    }

    private static int putLen(byte[] out, int p, int len) {
        if (len >= 128) {
            out[p++] = (byte) 0x81;
        }
        out[p++] = (byte) len;
        return p;
    }

    private static int length(byte[] d, int[] pos) {
        if (pos[0] >= d.length) {
            return -1;
        }
        int b = d[pos[0]++] & 0xff;
        if (b < 0x80) {
            return b;
        }
        if (b != 0x81 || pos[0] >= d.length) {
            return -1;
        }
        int len = d[pos[0]++] & 0xff;
        return len < 0x80 ? -1 : len;
    }

    private static byte[] integer(byte[] d, int[] pos) {
        if (pos[0] >= d.length || d[pos[0]++] != 0x02) {
            return null;
        }
        int len = length(d, pos);
        if (len <= 0 || pos[0] + len > d.length) {
            return null;
        }
        int start = pos[0];
        pos[0] += len;
        if ((d[start] & 0x80) != 0) {
            return null;
        }
        if (d[start] == 0 && (len == 1 || (d[start + 1] & 0x80) == 0)) {
            return null; // zero or non-minimal encoding
        }
        int skip = d[start] == 0 ? 1 : 0;
        return Arrays.copyOfRange(d, start + skip, start + len);
    }
}
