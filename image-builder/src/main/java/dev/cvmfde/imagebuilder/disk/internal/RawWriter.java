package dev.cvmfde.imagebuilder.disk.internal;

import dev.cvmfde.imagebuilder.disk.DiskImageWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Writes a raw image. Zero runs (from {@link #writeZeros} and all-zero 64 KiB-aligned blocks in
 * written data) are skipped, and the file is extended to its size at the end, so file systems
 * with sparse-file support keep them as holes.
 */
public final class RawWriter implements DiskImageWriter {

    private static final int HOLE_GRANULE = 64 * 1024;

    private final RandomAccessFile file;
    private final FileChannel channel;
    private final long size;
    private long position;

    public RawWriter(Path path, long size) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("raw size must be >= 0, got " + size);
        }
        this.file = new RandomAccessFile(path.toFile(), "rw");
        this.file.setLength(0);
        this.channel = file.getChannel();
        this.size = size;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
        if (src.remaining() > size - position) {
            throw new IllegalArgumentException("writing " + src.remaining() + " bytes at " + position
                    + " would pass the image size " + size);
        }
        while (src.hasRemaining()) {
            int toBoundary = (int) (HOLE_GRANULE - position % HOLE_GRANULE);
            int n = Math.min(src.remaining(), toBoundary);
            if (n == HOLE_GRANULE && ZeroFill.isZero(src, src.position(), n)) {
                src.position(src.position() + n);
                position += n;
                continue;
            }
            int run = n;
            // extend the write over following non-zero granules so the kernel sees one large write
            while (run < src.remaining() && !ZeroFill.isZero(src, src.position() + run,
                    Math.min(HOLE_GRANULE, src.remaining() - run))) {
                run += Math.min(HOLE_GRANULE, src.remaining() - run);
            }
            ByteBuffer part = src.slice(src.position(), run);
            while (part.hasRemaining()) {
                position += channel.write(part, position);
            }
            src.position(src.position() + run);
        }
    }

    @Override
    public void writeZeros(long length) {
        if (length < 0 || length > size - position) {
            throw new IllegalArgumentException("skipping " + length + " bytes at " + position
                    + " would pass the image size " + size);
        }
        position += length;
    }

    @Override
    public void finish() throws IOException {
        position = size;
        file.setLength(size);
        channel.force(true);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
