package dev.cvmfde.imagebuilder.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.LongConsumer;

/**
 * Streams a virtual disk range into a writer, skipping the ranges the source knows are zero.
 * Memory: one {@link #CHUNK_BYTES} buffer.
 */
public final class DiskCopy {

    /** Size of each sequential read. */
    public static final int CHUNK_BYTES = 4 << 20;

    private DiskCopy() {}

    /** Copies the whole of {@code src} to {@code dst} at its current position (see {@link #copy(VirtualDisk, long, long, DiskImageWriter, LongConsumer)}). */
    public static void copy(VirtualDisk src, DiskImageWriter dst, LongConsumer progress) throws IOException {
        copy(src, 0, src.size(), dst, progress);
    }

    /**
     * Appends {@code src[offset, offset + length)} to {@code dst}; {@code progress} receives the
     * number of source bytes done after each chunk.
     */
    public static void copy(VirtualDisk src, long offset, long length, DiskImageWriter dst, LongConsumer progress)
            throws IOException {
        if (offset < 0 || length < 0 || offset + length > src.size()) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + (offset + length)
                    + ") is outside the disk of " + src.size() + " bytes");
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK_BYTES);
        long end = offset + length;
        long pos = offset;
        while (pos < end) {
            var extent = src.nextDataExtent(pos).filter(e -> e.offset() < end);
            long dataStart = extent.map(DiskExtent::offset).orElse(end);
            long dataEnd = extent.map(e -> Math.min(end, e.end())).orElse(end);
            if (dataStart > pos) {
                dst.writeZeros(dataStart - pos);
                pos = dataStart;
            }
            while (pos < dataEnd) {
                int n = (int) Math.min(CHUNK_BYTES, dataEnd - pos);
                buf.clear().limit(n);
                src.read(pos, buf);
                dst.write(buf.flip());
                pos += n;
                progress.accept(pos - offset);
            }
        }
        progress.accept(length);
    }
}
