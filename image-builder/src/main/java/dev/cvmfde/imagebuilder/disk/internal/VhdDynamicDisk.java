package dev.cvmfde.imagebuilder.disk.internal;

import dev.cvmfde.imagebuilder.disk.CorruptImageException;
import dev.cvmfde.imagebuilder.disk.DiskExtent;
import dev.cvmfde.imagebuilder.disk.DiskFormat;
import dev.cvmfde.imagebuilder.disk.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A dynamic VHD: footer copy, dynamic header, block allocation table (BAT) and blocks, each a
 * sector bitmap followed by the block data. Sectors whose bitmap bit is clear, and blocks
 * without a BAT entry, read as zeros.
 */
public final class VhdDynamicDisk implements VirtualDisk {

    static final int HEADER_SIZE = 1024;
    static final long UNALLOCATED = 0xffffffffL;
    /** Block sizes accepted: 512 B to 256 MiB, powers of two (2 MiB is the default). */
    static final int MAX_BLOCK_SIZE = 256 << 20;
    /** Largest BAT held in memory: 4 Mi entries (16 MiB), 8 TiB at 2 MiB blocks. */
    static final int MAX_BAT_ENTRIES = 4 << 20;

    private final FileRegion file;
    private final VhdFooter footer;
    private final int blockSize;
    private final int bitmapSize;
    private final int[] bat;
    private final ByteBuffer bitmap;
    private int bitmapBlock = -1;

    public VhdDynamicDisk(FileChannel channel, ByteBuffer footerBytes) throws IOException {
        this.file = new FileRegion(channel);
        this.footer = VhdFooter.parse(footerBytes, "footer");
        ByteBuffer copy = file.readStruct(0, VhdFooter.SIZE, "vhd.footer-copy.bounds");
        VhdFooter.parse(copy, "footer-copy");
        long headerOffset = footer.dataOffset();
        if (headerOffset < VhdFooter.SIZE || headerOffset > file.length() - HEADER_SIZE) {
            throw new CorruptImageException("vhd.dynamic-header.bounds", "dynamic header offset " + headerOffset
                    + " lies outside the file (" + file.length() + " bytes)");
        }
        ByteBuffer h = file.readStruct(headerOffset, HEADER_SIZE, "vhd.dynamic-header.bounds");
        checkHeader(h);
        this.blockSize = h.getInt(32);
        this.bitmapSize = (((blockSize / 512) + 7) / 8 + 511) / 512 * 512;
        long batOffset = h.getLong(16);
        int entries = h.getInt(28);
        long needed = (footer.virtualSize() + blockSize - 1) / blockSize;
        if (entries < needed || entries > MAX_BAT_ENTRIES) {
            throw new CorruptImageException("vhd.dynamic-header.max-table-entries", "BAT has " + Integer.toUnsignedString(entries)
                    + " entries; the disk size needs " + needed + " and at most " + MAX_BAT_ENTRIES + " are allowed");
        }
        this.bat = new int[(int) needed];
        file.readStruct(batOffset, bat.length * 4, "vhd.bat.bounds").asIntBuffer().get(bat);
        this.bitmap = ByteBuffer.allocate(bitmapSize);
    }

    private static void checkHeader(ByteBuffer h) throws CorruptImageException {
        if (!StandardCharsets.US_ASCII.decode(h.slice(0, 8)).toString().equals("cxsparse")) {
            throw new CorruptImageException("vhd.dynamic-header.cookie", "expected 'cxsparse'");
        }
        long stored = Integer.toUnsignedLong(h.getInt(36));
        long computed = VhdFooter.checksum(h, 36);
        if (stored != computed) {
            throw new CorruptImageException("vhd.dynamic-header.checksum", "stored checksum 0x"
                    + Long.toHexString(stored) + " does not equal the computed 0x" + Long.toHexString(computed));
        }
        int blockSize = h.getInt(32);
        if (blockSize < 512 || blockSize > MAX_BLOCK_SIZE || Integer.bitCount(blockSize) != 1) {
            throw new CorruptImageException("vhd.dynamic-header.block-size", "block size " + blockSize
                    + "; a power of two from 512 to " + MAX_BLOCK_SIZE + " is allowed");
        }
    }

    @Override
    public DiskFormat format() {
        return DiskFormat.VHD_DYNAMIC;
    }

    @Override
    public long size() {
        return footer.virtualSize();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        Bounds.checkRead(offset, dst.remaining(), size());
        long pos = offset;
        while (dst.hasRemaining()) {
            int block = (int) (pos / blockSize);
            int inBlock = (int) (pos % blockSize);
            int n = Math.min(dst.remaining(), blockSize - inBlock);
            int keep = dst.limit();
            dst.limit(dst.position() + n);
            long entry = Integer.toUnsignedLong(bat[block]);
            if (entry == UNALLOCATED) {
                ZeroFill.fill(dst);
            } else {
                readBlock(block, entry * 512, inBlock, dst);
            }
            dst.limit(keep);
            pos += n;
        }
    }

    /** Reads runs of sectors with equal bitmap bits in one call each. */
    private void readBlock(int block, long blockStart, int inBlock, ByteBuffer dst) throws IOException {
        long dataStart = blockStart + bitmapSize;
        if (blockStart < VhdFooter.SIZE || blockStart + bitmapSize + blockSize > file.length() - VhdFooter.SIZE) {
            throw new CorruptImageException("vhd.bat-entry.bounds", "block " + block + " at " + blockStart
                    + " extends beyond the end of the file (" + file.length() + " bytes)");
        }
        loadBitmap(block, blockStart);
        int pos = inBlock;
        while (dst.hasRemaining()) {
            int sector = pos / 512;
            boolean present = sectorPresent(sector);
            int runEnd = pos - pos % 512 + 512;
            while (runEnd < pos + dst.remaining() && sectorPresent(runEnd / 512) == present) {
                runEnd += 512;
            }
            int n = Math.min(dst.remaining(), runEnd - pos);
            int keep = dst.limit();
            dst.limit(dst.position() + n);
            if (present) {
                file.readFully(dataStart + pos, dst, "vhd.bat-entry.bounds");
            } else {
                ZeroFill.fill(dst);
            }
            dst.limit(keep);
            pos += n;
        }
    }

    private boolean sectorPresent(int sector) {
        return (bitmap.get(sector >>> 3) & (0x80 >>> (sector & 7))) != 0;
    }

    private void loadBitmap(int block, long blockStart) throws IOException {
        if (bitmapBlock != block) {
            bitmapBlock = -1;
            bitmap.clear();
            file.readFully(blockStart, bitmap, "vhd.bat-entry.bounds");
            bitmapBlock = block;
        }
    }

    @Override
    public Optional<DiskExtent> nextDataExtent(long from) {
        long start = Math.max(0, from);
        int block = (int) (start / blockSize);
        while (block < bat.length && Integer.toUnsignedLong(bat[block]) == UNALLOCATED) {
            block++;
        }
        if (block >= bat.length) {
            return Optional.empty();
        }
        int end = block + 1;
        while (end < bat.length && Integer.toUnsignedLong(bat[end]) != UNALLOCATED) {
            end++;
        }
        long s = Math.max(start, (long) block * blockSize);
        return Optional.of(new DiskExtent(s, Math.min(size(), (long) end * blockSize) - s));
    }

    @Override
    public void close() throws IOException {
        file.channel().close();
    }
}
