package dev.cvmfde.imagebuilder.disk.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** The metadata a {@link Qcow2Writer} writes last: refcount blocks, refcount table, L1, header. */
final class Qcow2Metadata {

    private static final int HEADER_LENGTH = 112;

    private Qcow2Metadata() {}

    static void writeRefcountsAndHeader(Appender out, FileChannel channel, long size, long[] l1) throws IOException {
        int cluster = Qcow2Writer.CLUSTER;
        long used = out.nextCluster();
        long blocks = 0;
        long tableClusters = 0;
        long total;
        // the refcount structures count themselves: iterate to the fixed point
        while (true) {
            total = used + blocks + tableClusters;
            long needBlocks = (total + Qcow2Writer.REFCOUNTS_PER_BLOCK - 1) / Qcow2Writer.REFCOUNTS_PER_BLOCK;
            long needTable = (needBlocks * 8 + cluster - 1) / cluster;
            if (needBlocks == blocks && needTable == tableClusters) {
                break;
            }
            blocks = needBlocks;
            tableClusters = needTable;
        }
        long firstBlock = out.nextCluster();
        ByteBuffer block = ByteBuffer.allocate(cluster);
        for (long b = 0; b < blocks; b++) {
            block.clear();
            for (int i = 0; i < Qcow2Writer.REFCOUNTS_PER_BLOCK; i++) {
                block.putShort((short) (b * Qcow2Writer.REFCOUNTS_PER_BLOCK + i < total ? 1 : 0));
            }
            out.append(block, 0);
        }
        long tableOffset = out.nextCluster() * (long) cluster;
        ByteBuffer table = ByteBuffer.allocate(cluster);
        for (long t = 0; t < tableClusters; t++) {
            table.clear();
            for (int i = 0; i < cluster / 8; i++) {
                long b = t * (cluster / 8) + i;
                table.putLong(b < blocks ? (firstBlock + b) * cluster : 0);
            }
            out.append(table, 0);
        }
        out.flush();
        writeL1(channel, l1);
        writeHeader(channel, size, l1.length, tableOffset, (int) tableClusters);
    }

    private static void writeL1(FileChannel channel, long[] l1) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(l1.length * 8);
        b.asLongBuffer().put(l1);
        writeFully(channel, b, Qcow2Writer.CLUSTER);
    }

    private static void writeHeader(FileChannel channel, long size, int l1Size, long refTable, int refClusters)
            throws IOException {
        ByteBuffer h = ByteBuffer.allocate(HEADER_LENGTH + 8);
        h.putInt(Qcow2Header.MAGIC).putInt(3);
        h.putLong(0).putInt(0); // no backing file
        h.putInt(Qcow2Writer.CLUSTER_BITS);
        h.putLong(size);
        h.putInt(0); // no encryption
        h.putInt(l1Size).putLong(Qcow2Writer.CLUSTER);
        h.putLong(refTable).putInt(refClusters);
        h.putInt(0).putLong(0); // no snapshots
        h.putLong(0).putLong(0).putLong(0); // incompatible, compatible, autoclear features
        h.putInt(4); // refcount_order: 16-bit refcounts
        h.putInt(HEADER_LENGTH);
        h.put((byte) 0); // compression type: deflate
        h.position(HEADER_LENGTH);
        h.putInt(0).putInt(0); // end of header extensions
        writeFully(channel, h.flip(), 0);
    }

    private static void writeFully(FileChannel channel, ByteBuffer b, long offset) throws IOException {
        long pos = offset;
        while (b.hasRemaining()) {
            pos += channel.write(b, pos);
        }
    }
}
