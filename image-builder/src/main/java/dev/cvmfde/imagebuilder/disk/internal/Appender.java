package dev.cvmfde.imagebuilder.disk.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Appends whole clusters to a file through one large buffer, so the device sees big sequential writes. */
final class Appender {

    /** Size of the write-behind buffer. */
    static final int BUFFER_BYTES = 4 << 20;

    private final FileChannel channel;
    private final int clusterSize;
    private final ByteBuffer buffer;
    private long nextCluster;
    private long flushedAt;

    Appender(FileChannel channel, int clusterSize, long firstCluster) {
        this.channel = channel;
        this.clusterSize = clusterSize;
        this.buffer = ByteBuffer.allocateDirect(Math.max(BUFFER_BYTES, clusterSize));
        this.nextCluster = firstCluster;
        this.flushedAt = firstCluster * clusterSize;
    }

    /** Index of the cluster the next append lands in. */
    long nextCluster() {
        return nextCluster;
    }

    /** Appends exactly one cluster read from {@code src[from, from + clusterSize)}; returns its host offset. */
    long append(ByteBuffer src, int from) throws IOException {
        if (buffer.remaining() < clusterSize) {
            flush();
        }
        buffer.put(src.slice(from, clusterSize));
        return nextCluster++ * clusterSize;
    }

    void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            flushedAt += channel.write(buffer, flushedAt);
        }
        buffer.clear();
    }
}
