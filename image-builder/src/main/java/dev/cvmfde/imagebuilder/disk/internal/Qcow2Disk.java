package dev.cvmfde.imagebuilder.disk.internal;

import dev.cvmfde.imagebuilder.disk.CorruptImageException;
import dev.cvmfde.imagebuilder.disk.DiskExtent;
import dev.cvmfde.imagebuilder.disk.DiskFormat;
import dev.cvmfde.imagebuilder.disk.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;

/**
 * Reads the active state of a qcow2 image (v2 or v3) through its L1/L2 tables. Refcounts and
 * snapshots are ignored (reads do not need them). Contiguous host clusters are read with one
 * call; compressed clusters (raw deflate) are inflated one at a time.
 */
public final class Qcow2Disk implements VirtualDisk {

    static final long L1_OFFSET_MASK = 0x00fffffffffffe00L;
    static final long L2_OFFSET_MASK = 0x00fffffffffffe00L;
    static final long L2_COMPRESSED = 1L << 62;
    static final long L2_ZERO = 1L;

    private final FileRegion file;
    private final Qcow2Header header;
    private final long[] l1;
    private final L2Cache l2Cache;
    private final int clusterBits;
    private final int l2Bits;
    private final CompressedClusters compressed;

    public Qcow2Disk(FileChannel channel) throws IOException {
        this.file = new FileRegion(channel);
        this.header = Qcow2Header.read(file);
        this.clusterBits = header.clusterBits();
        this.l2Bits = clusterBits - 3;
        this.l1 = new long[header.l1Size()];
        if (l1.length > 0) {
            file.readStruct(header.l1TableOffset(), l1.length * 8, "qcow2.l1-table.bounds").asLongBuffer().get(l1);
        }
        this.l2Cache = new L2Cache(file, header.clusterSize());
        this.compressed = new CompressedClusters(file, clusterBits);
    }

    /** True when qemu left the dirty bit set (refcounts may be stale; data is still readable). */
    public boolean dirty() {
        return header.dirty();
    }

    @Override
    public DiskFormat format() {
        return DiskFormat.QCOW2;
    }

    @Override
    public long size() {
        return header.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        Bounds.checkRead(offset, dst.remaining(), size());
        long pos = offset;
        int clusterSize = header.clusterSize();
        while (dst.hasRemaining()) {
            long entry = l2Entry(pos >>> clusterBits);
            int inCluster = (int) (pos & (clusterSize - 1));
            int n = Math.min(dst.remaining(), clusterSize - inCluster);
            int keep = dst.limit();
            if ((entry & L2_COMPRESSED) != 0) {
                dst.limit(dst.position() + n);
                compressed.read(entry, inCluster, dst, pos >>> clusterBits);
            } else if ((entry & L2_ZERO) != 0 || (entry & L2_OFFSET_MASK) == 0) {
                dst.limit(dst.position() + n);
                ZeroFill.fill(dst);
            } else {
                long host = dataCluster(entry, pos) + inCluster;
                n = extendRun(pos, host - inCluster, n, dst.remaining());
                dst.limit(dst.position() + n);
                file.readFully(host, dst, "qcow2.l2-entry.bounds");
            }
            dst.limit(keep);
            pos += n;
        }
    }

    /** Grows a read of a standard cluster over following clusters that are contiguous on the host. */
    private int extendRun(long pos, long hostCluster, int n, int remaining) throws IOException {
        int clusterSize = header.clusterSize();
        long vc = pos >>> clusterBits;
        long expected = hostCluster;
        int total = n;
        while (total < remaining) {
            vc++;
            expected += clusterSize;
            if (vc << clusterBits >= size()) {
                break;
            }
            long next = l2Entry(vc);
            if ((next & (L2_COMPRESSED | L2_ZERO)) != 0 || (next & L2_OFFSET_MASK) != expected) {
                break;
            }
            total += Math.min(clusterSize, remaining - total);
        }
        return total;
    }

    private long dataCluster(long entry, long pos) throws IOException {
        long host = entry & L2_OFFSET_MASK;
        if ((host & (header.clusterSize() - 1)) != 0 || host >= file.length()) {
            throw new CorruptImageException("qcow2.l2-entry.bounds", "virtual offset " + pos
                    + " maps to host offset " + host + ", which is unaligned or beyond the end of the file ("
                    + file.length() + " bytes)");
        }
        return host;
    }

    /** The L2 entry of virtual cluster {@code vc}, or 0 when its L2 table is unallocated. */
    long l2Entry(long vc) throws IOException {
        int l1Index = (int) (vc >>> l2Bits);
        long l1Entry = l1[l1Index] & L1_OFFSET_MASK;
        if (l1Entry == 0) {
            return 0;
        }
        if ((l1Entry & (header.clusterSize() - 1)) != 0) {
            throw new CorruptImageException("qcow2.l1-entry.alignment",
                    "L1 entry " + l1Index + " points to unaligned offset " + l1Entry);
        }
        LongBuffer table = l2Cache.table(l1Entry);
        return table.get((int) (vc & ((1L << l2Bits) - 1)));
    }

    private static boolean holdsData(long entry) {
        return (entry & L2_COMPRESSED) != 0 || ((entry & L2_ZERO) == 0 && (entry & L2_OFFSET_MASK) != 0);
    }

    @Override
    public Optional<DiskExtent> nextDataExtent(long from) throws IOException {
        long clusters = (size() + header.clusterSize() - 1) >>> clusterBits;
        long vc = Math.max(0, from) >>> clusterBits;
        while (vc < clusters && !holdsData(l2Entry(vc))) {
            vc = (l1[(int) (vc >>> l2Bits)] & L1_OFFSET_MASK) == 0 ? ((vc >>> l2Bits) + 1) << l2Bits : vc + 1;
        }
        if (vc >= clusters) {
            return Optional.empty();
        }
        long end = vc + 1;
        while (end < clusters && holdsData(l2Entry(end))) {
            end++;
        }
        long start = Math.max(from, vc << clusterBits);
        return Optional.of(new DiskExtent(start, Math.min(size(), end << clusterBits) - start));
    }

    @Override
    public void close() throws IOException {
        compressed.close();
        file.channel().close();
    }
}
