package dev.cvmfde.protocol.tpm;

import java.util.Arrays;

/**
 * Reads big-endian TPM 2.0 wire types from a byte array, never past its end: every length read
 * from the data is checked against what is left before anything is copied.
 */
public final class TpmReader {
    private final byte[] data;
    private final int end;
    private int pos;

    public TpmReader(byte[] data) {
        this(data, 0, data.length);
    }

    public TpmReader(byte[] data, int offset, int length) {
        this.data = data;
        this.pos = offset;
        this.end = offset + length;
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    private void need(int n, String field) throws TpmFormatException {
        if (n < 0 || n > end - pos) {
            throw new TpmFormatException(field + ": needs " + n + " bytes at offset " + pos + "; " + (end - pos)
                    + " are left");
        }
    }

    public int u8(String field) throws TpmFormatException {
        need(1, field);
        return data[pos++] & 0xff;
    }

    public int u16(String field) throws TpmFormatException {
        need(2, field);
        int v = ((data[pos] & 0xff) << 8) | (data[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    public long u32(String field) throws TpmFormatException {
        need(4, field);
        long v = ((long) (data[pos] & 0xff) << 24) | ((data[pos + 1] & 0xff) << 16) | ((data[pos + 2] & 0xff) << 8)
                | (data[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    public long u64(String field) throws TpmFormatException {
        long hi = u32(field);
        return (hi << 32) | u32(field);
    }

    public byte[] bytes(int n, String field) throws TpmFormatException {
        need(n, field);
        byte[] out = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return out;
    }

    /** A TPM2B: u16 size, then that many bytes, at most {@code max}. */
    public byte[] tpm2b(int max, String field) throws TpmFormatException {
        int size = u16(field + ".size");
        if (size > max) {
            throw new TpmFormatException(field + ": size " + size + "; at most " + max + " is allowed");
        }
        return bytes(size, field);
    }

    /** Fails unless every byte was read. */
    public void requireEnd(String structure) throws TpmFormatException {
        if (pos != end) {
            throw new TpmFormatException(structure + ": " + (end - pos) + " trailing bytes");
        }
    }
}
