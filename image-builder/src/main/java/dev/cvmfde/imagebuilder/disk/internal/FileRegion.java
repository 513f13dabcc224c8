package dev.cvmfde.imagebuilder.disk.internal;

import dev.cvmfde.imagebuilder.disk.CorruptImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/** Positional, bounds-checked reads from an image file opened read-only. */
final class FileRegion {

    private final FileChannel channel;
    private final long length;

    FileRegion(FileChannel channel) throws IOException {
        this.channel = channel;
        this.length = channel.size();
    }

    long length() {
        return length;
    }

    FileChannel channel() {
        return channel;
    }

    /**
     * Reads exactly {@code dst.remaining()} bytes at {@code offset}; a range past the end of the
     * file is corruption named by {@code check}.
     */
    void readFully(long offset, ByteBuffer dst, String check) throws IOException {
        int want = dst.remaining();
        if (offset < 0 || offset > length || want > length - offset) {
            throw new CorruptImageException(check, "needs bytes [" + offset + ", " + (offset + want)
                    + ") but the file has only " + length + " bytes (truncated or corrupt image)");
        }
        readAvailable(offset, dst);
    }

    private void readAvailable(long offset, ByteBuffer dst) throws IOException {
        long pos = offset;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                throw new CorruptImageException("file.read", "file ended at " + pos + " while reading");
            }
            pos += n;
        }
    }

    /** Reads a small big-endian structure (header, footer, table) fully into a heap buffer. */
    ByteBuffer readStruct(long offset, int size, String check) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.BIG_ENDIAN);
        readFully(offset, b, check);
        return b.flip();
    }
}
