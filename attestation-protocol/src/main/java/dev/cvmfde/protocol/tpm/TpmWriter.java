package dev.cvmfde.protocol.tpm;

import java.io.ByteArrayOutputStream;

/** Writes big-endian TPM 2.0 wire types. */
public final class TpmWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public TpmWriter u8(int v) {
        out.write(v);
        return this;
    }

    public TpmWriter u16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    public TpmWriter u32(long v) {
        u16((int) (v >>> 16) & 0xffff);
        return u16((int) v & 0xffff);
    }

    public TpmWriter bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** u16 size, then the bytes. */
    public TpmWriter tpm2b(byte[] b) {
        if (b.length > 0xffff) {
            throw new IllegalArgumentException("a TPM2B holds at most 65535 bytes; got " + b.length);
        }
        u16(b.length);
        return bytes(b);
    }

    public int size() {
        return out.size();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
