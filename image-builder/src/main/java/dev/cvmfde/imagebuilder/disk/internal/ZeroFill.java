package dev.cvmfde.imagebuilder.disk.internal;

import java.nio.ByteBuffer;

/** Zero-filling and zero-testing of buffers without per-byte loops (bulk, vectorised by the JDK). */
public final class ZeroFill {

    private static final int CHUNK = 64 * 1024;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(CHUNK).asReadOnlyBuffer();

    private ZeroFill() {}

    /** Writes zeros from position to limit and advances the position to the limit. */
    public static void fill(ByteBuffer dst) {
        while (dst.hasRemaining()) {
            int n = Math.min(CHUNK, dst.remaining());
            dst.put(ZEROS.duplicate().limit(n));
        }
    }

    /** True when {@code buf[from, from + len)} holds only zeros; does not move the buffer. */
    public static boolean isZero(ByteBuffer buf, int from, int len) {
        int off = from;
        int end = from + len;
        while (off < end) {
            int n = Math.min(CHUNK, end - off);
            if (buf.slice(off, n).mismatch(ZEROS.duplicate().limit(n)) != -1) {
                return false;
            }
            off += n;
        }
        return true;
    }
}
