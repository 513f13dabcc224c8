package dev.cvmfde.refvalues.eventlog.internal;

import dev.cvmfde.refvalues.eventlog.EventLogException;
import dev.cvmfde.refvalues.eventlog.EventLogException.Kind;
import java.io.IOException;
import java.io.InputStream;

/** Little-endian reads that count the offset and turn a short read into a TRUNCATED error. */
public final class LittleEndianInput {
    private final InputStream in;
    private long offset;

    public LittleEndianInput(InputStream in) {
        this.in = in;
    }

    public long offset() {
        return offset;
    }

    /** Reads one byte, or returns -1 at a clean end of input. */
    public int readOrEnd() throws IOException {
        int b = in.read();
        if (b >= 0) {
            offset++;
        }
        return b;
    }

    public int u8(String field) throws IOException, EventLogException {
        int b = in.read();
        if (b < 0) {
            throw truncated(field, 1);
        }
        offset++;
        return b;
    }

    public int u16(String field) throws IOException, EventLogException {
        return u8(field) | (u8(field) << 8);
    }

    public long u32(String field) throws IOException, EventLogException {
        return u16(field) | ((long) u16(field) << 16);
    }

    /** Reads exactly {@code n} bytes; the caller has already bounded {@code n}. */
    public byte[] bytes(int n, String field) throws IOException, EventLogException {
        byte[] b = in.readNBytes(n);
        offset += b.length;
        if (b.length != n) {
            throw truncated(field, n - b.length);
        }
        return b;
    }

    private EventLogException truncated(String field, int missing) {
        return new EventLogException(Kind.TRUNCATED, offset, "the log ends inside " + field + " ("
                + missing + " more bytes expected)");
    }
}
