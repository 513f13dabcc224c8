package dev.cvmfde.imagebuilder.disk.internal;

import dev.cvmfde.imagebuilder.disk.DiskImageWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Streams a qcow2 v3 image (64 KiB clusters, 16-bit refcounts). Layout: header cluster, L1
 * table, then data clusters in virtual order with each L2 table appended once its 512 MiB range
 * is complete, and finally the refcount blocks and refcount table. Every cluster in the file is
 * referenced exactly once, so {@code qemu-img check} finds no leaks; all-zero clusters are not
 * stored. Memory: one cluster, one L2 table, the L1 table and a 4 MiB write buffer.
 */
public final class Qcow2Writer implements DiskImageWriter {

    static final int CLUSTER_BITS = 16;
    static final int CLUSTER = 1 << CLUSTER_BITS;
    static final int L2_ENTRIES = CLUSTER / 8;
    static final int REFCOUNTS_PER_BLOCK = CLUSTER / 2;
    static final long COPIED = 1L << 63;
    /** Largest image written: 64 TiB (L1 of 1 MiB). */
    public static final long MAX_SIZE = 64L << 40;

    private final FileChannel channel;
    private final long size;
    private final long[] l1;
    private final long[] l2 = new long[L2_ENTRIES];
    private final ByteBuffer cluster = ByteBuffer.allocateDirect(CLUSTER);
    private final Appender out;
    private long position;
    private int l2Index = -1;
    private boolean l2Used;

    public Qcow2Writer(Path path, long size) throws IOException {
        if (size <= 0 || size > MAX_SIZE || size % 512 != 0) {
            throw new IllegalArgumentException("qcow2 size must be a positive multiple of 512 up to "
                    + MAX_SIZE + " bytes, got " + size);
        }
        this.size = size;
        long perL2 = (long) CLUSTER * L2_ENTRIES;
        this.l1 = new long[(int) ((size + perL2 - 1) / perL2)];
        long l1Clusters = ((long) l1.length * 8 + CLUSTER - 1) / CLUSTER;
        this.channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        this.out = new Appender(channel, CLUSTER, 1 + l1Clusters);
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
        checkRoom(src.remaining());
        while (src.hasRemaining()) {
            int inCluster = (int) (position & (CLUSTER - 1));
            if (inCluster == 0 && cluster.position() == 0 && src.remaining() >= CLUSTER) {
                storeCluster(position / CLUSTER, src, src.position());
                src.position(src.position() + CLUSTER);
                position += CLUSTER;
                continue;
            }
            int n = Math.min(src.remaining(), CLUSTER - inCluster);
            cluster.put(cluster.position(), src, src.position(), n);
            cluster.position(cluster.position() + n);
            src.position(src.position() + n);
            position += n;
            if (cluster.position() == CLUSTER) {
                storeCluster((position - 1) / CLUSTER, cluster, 0);
                cluster.clear();
            }
        }
    }

    @Override
    public void writeZeros(long length) throws IOException {
        checkRoom(length);
        long left = length;
        while (left > 0 && cluster.position() != 0) {
            int n = (int) Math.min(left, CLUSTER - cluster.position());
            ZeroFill.fill(cluster.limit(cluster.position() + n));
            cluster.limit(CLUSTER);
            left -= n;
            position += n;
            if (cluster.position() == CLUSTER) {
                storeCluster((position - 1) / CLUSTER, cluster, 0);
                cluster.clear();
            }
        }
        long whole = left / CLUSTER * CLUSTER;
        position += whole;
        left -= whole;
        if (left > 0) {
            ZeroFill.fill(cluster.limit((int) left));
            cluster.limit(CLUSTER);
            position += left;
        }
    }

    private void checkRoom(long n) {
        if (n > size - position) {
            throw new IllegalArgumentException("writing " + n + " bytes at " + position
                    + " would pass the image size " + size);
        }
    }

    /** Stores virtual cluster {@code vc} from {@code src[from, from + CLUSTER)} unless it is all zeros. */
    private void storeCluster(long vc, ByteBuffer src, int from) throws IOException {
        if (ZeroFill.isZero(src, from, CLUSTER)) {
            return;
        }
        int idx = (int) (vc / L2_ENTRIES);
        if (idx != l2Index) {
            flushL2();
            l2Index = idx;
        }
        l2[(int) (vc % L2_ENTRIES)] = out.append(src, from) | COPIED;
        l2Used = true;
    }

    private void flushL2() throws IOException {
        if (l2Used) {
            ByteBuffer t = ByteBuffer.allocate(CLUSTER);
            t.asLongBuffer().put(l2);
            l1[l2Index] = out.append(t, 0) | COPIED;
            Arrays.fill(l2, 0);
            l2Used = false;
        }
    }

    @Override
    public void finish() throws IOException {
        writeZeros(size - position);
        if (cluster.position() != 0) {
            ZeroFill.fill(cluster);
            storeCluster((size - 1) / CLUSTER, cluster, 0);
            cluster.clear();
        }
        flushL2();
        Qcow2Metadata.writeRefcountsAndHeader(out, channel, size, l1);
        channel.force(true);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
