package dev.cvmfde.imagebuilder.disk.internal;

import dev.cvmfde.imagebuilder.disk.CorruptImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates qcow2 compressed clusters (raw deflate). Keeps the last inflated cluster so that
 * reads smaller than a cluster do not inflate it again.
 */
final class CompressedClusters {

    private final FileRegion file;
    private final int clusterBits;
    private final int clusterSize;
    private final ByteBuffer input;
    private final ByteBuffer output;
    private final Inflater inflater = new Inflater(true);
    private long cachedCluster = -1;

    CompressedClusters(FileRegion file, int clusterBits) {
        this.file = file;
        this.clusterBits = clusterBits;
        this.clusterSize = 1 << clusterBits;
        // a compressed cluster may occupy up to one cluster plus one sector of slack
        this.input = ByteBuffer.allocate(clusterSize + 512);
        this.output = ByteBuffer.allocate(clusterSize);
    }

    void read(long entry, int inCluster, ByteBuffer dst, long virtualCluster) throws IOException {
        if (cachedCluster != virtualCluster) {
            inflate(entry, virtualCluster);
            cachedCluster = virtualCluster;
        }
        dst.put(output.slice(inCluster, dst.remaining()));
    }

    private void inflate(long entry, long virtualCluster) throws IOException {
        cachedCluster = -1;
        int offsetBits = 62 - (clusterBits - 8);
        long host = entry & ((1L << offsetBits) - 1);
        long sectors = ((entry & ~(1L << 62) & ~(1L << 63)) >>> offsetBits) + 1;
        long length = sectors * 512 - (host & 511);
        if (host >= file.length()) {
            throw new CorruptImageException("qcow2.compressed-cluster.bounds", "cluster " + virtualCluster
                    + " points to compressed data at " + host + ", beyond the end of the file ("
                    + file.length() + " bytes)");
        }
        int n = (int) Math.min(Math.min(length, input.capacity()), file.length() - host);
        input.clear().limit(n);
        file.readFully(host, input, "qcow2.compressed-cluster.bounds");
        input.flip();
        inflater.reset();
        inflater.setInput(input);
        output.clear();
        try {
            while (output.hasRemaining() && !inflater.finished()) {
                if (inflater.inflate(output) == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
            }
        } catch (DataFormatException e) {
            throw new CorruptImageException("qcow2.compressed-cluster.deflate",
                    "cluster " + virtualCluster + " does not inflate: " + e.getMessage());
        }
        if (output.hasRemaining()) {
            throw new CorruptImageException("qcow2.compressed-cluster.deflate", "cluster " + virtualCluster
                    + " inflates to " + output.position() + " bytes; expected " + clusterSize);
        }
        output.flip();
    }

    void close() {
        inflater.end();
    }
}
