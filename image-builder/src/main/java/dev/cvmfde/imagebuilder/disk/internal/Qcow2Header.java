package dev.cvmfde.imagebuilder.disk.internal;

import dev.cvmfde.imagebuilder.disk.CorruptImageException;
import dev.cvmfde.imagebuilder.disk.UnsupportedImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The parts of a qcow2 header (versions 2 and 3) a reader needs, validated against named
 * limits. Features this module refuses (backing file, encryption, external data file, extended
 * L2 entries, zstd, the corrupt bit) are refused here, before any data is read.
 */
record Qcow2Header(int version, int clusterBits, long size, int l1Size, long l1TableOffset, boolean dirty) {

    static final int MAGIC = 0x514649fb;
    /** qemu's own range for cluster_bits (512 B to 2 MiB). */
    static final int MIN_CLUSTER_BITS = 9;
    static final int MAX_CLUSTER_BITS = 21;
    /** Largest virtual size accepted: 64 TiB, far above any VM image this builder handles. */
    static final long MAX_VIRTUAL_SIZE = 64L << 40;
    /** Largest L1 table held in memory: 32 MiB, qemu's QCOW_MAX_L1_SIZE. */
    static final int MAX_L1_BYTES = 32 << 20;
    /** Header area read and scanned for extensions: one cluster at most, 64 KiB here. */
    static final int MAX_HEADER_AREA = 64 * 1024;
    static final int MAX_BACKING_NAME = 1023;

    static final long INCOMPAT_DIRTY = 1;
    static final long INCOMPAT_CORRUPT = 1 << 1;
    static final long INCOMPAT_DATA_FILE = 1 << 2;
    static final long INCOMPAT_COMPRESSION = 1 << 3;
    static final long INCOMPAT_EXTL2 = 1 << 4;
    private static final int EXT_END = 0;
    private static final int EXT_DATA_FILE = 0x44415441;
    private static final int EXT_CRYPTO = 0x0537be77;

    int clusterSize() {
        return 1 << clusterBits;
    }

    static Qcow2Header read(FileRegion file) throws IOException {
        if (file.length() < 72) {
            throw new CorruptImageException("qcow2.header.truncated",
                    "a qcow2 header needs at least 72 bytes, the file has " + file.length());
        }
        int area = (int) Math.min(file.length(), MAX_HEADER_AREA);
        ByteBuffer h = file.readStruct(0, area, "qcow2.header.truncated");
        if (h.getInt(0) != MAGIC) {
            throw new CorruptImageException("qcow2.header.magic", "expected QFI\\xfb");
        }
        int version = h.getInt(4);
        if (version != 2 && version != 3) {
            throw new UnsupportedImageException("qcow2.header.version",
                    "qcow2 version " + version + " is not supported; expected 2 or 3");
        }
        int clusterBits = h.getInt(20);
        if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
            throw new CorruptImageException("qcow2.header.cluster-bits", "cluster_bits is " + clusterBits
                    + "; " + MIN_CLUSTER_BITS + " to " + MAX_CLUSTER_BITS + " are allowed");
        }
        long size = h.getLong(24);
        if (size < 0 || size > MAX_VIRTUAL_SIZE) {
            throw new CorruptImageException("qcow2.header.size", "virtual size is " + Long.toUnsignedString(size)
                    + " bytes; at most " + MAX_VIRTUAL_SIZE + " (64 TiB) is allowed");
        }
        long incompat = version == 3 ? h.getLong(72) : 0;
        int headerLength = version == 3 ? h.getInt(100) : 72;
        if (version == 3 && (headerLength < 104 || headerLength > area || headerLength % 8 != 0)) {
            throw new CorruptImageException("qcow2.header.length", "header_length is " + headerLength
                    + "; expected a multiple of 8 from 104 to " + area);
        }
        checkFeatures(h, version, incompat, headerLength);
        checkBackingFile(file, h);
        if (h.getInt(32) != 0) {
            throw new UnsupportedImageException("qcow2.header.encryption", "the image is encrypted (crypt_method "
                    + h.getInt(32) + "); decrypt it first, e.g. qemu-img convert --object secret,... -O qcow2");
        }
        int l1Size = h.getInt(36);
        long l1Offset = h.getLong(40);
        checkL1(file, clusterBits, size, l1Size, l1Offset);
        checkExtensions(h, version == 3 ? headerLength : 72, area);
        return new Qcow2Header(version, clusterBits, size, l1Size, l1Offset, (incompat & INCOMPAT_DIRTY) != 0);
    }

    private static void checkFeatures(ByteBuffer h, int version, long incompat, int headerLength)
            throws IOException {
        if ((incompat & INCOMPAT_CORRUPT) != 0) {
            throw new CorruptImageException("qcow2.header.corrupt-bit",
                    "qemu marked this image corrupt; repair it with qemu-img check -r all, then retry");
        }
        if ((incompat & INCOMPAT_DATA_FILE) != 0) {
            throw new UnsupportedImageException("qcow2.header.external-data-file",
                    "the image keeps its data in an external file; qemu-img convert it to a self-contained image first");
        }
        if ((incompat & INCOMPAT_EXTL2) != 0) {
            throw new UnsupportedImageException("qcow2.header.extended-l2",
                    "extended L2 entries (subclusters) are not supported; qemu-img convert -O qcow2 without extended_l2 first");
        }
        if ((incompat & INCOMPAT_COMPRESSION) != 0) {
            int type = headerLength > 104 ? h.get(104) & 0xff : 0;
            if (type != 0) {
                throw new UnsupportedImageException("qcow2.header.compression-type", "compression type " + type
                        + (type == 1 ? " (zstd)" : "") + " needs a native library this builder does not use;"
                        + " qemu-img convert -O qcow2 -o compression_type=zlib (or without -c) first");
            }
        }
        long unknown = incompat & ~(INCOMPAT_DIRTY | INCOMPAT_COMPRESSION);
        if (unknown != 0 && version == 3) {
            throw new UnsupportedImageException("qcow2.header.incompatible-features",
                    "unknown incompatible feature bits 0x" + Long.toHexString(unknown));
        }
    }

    private static void checkBackingFile(FileRegion file, ByteBuffer h) throws IOException {
        long offset = h.getLong(8);
        if (offset == 0) {
            return;
        }
        int len = h.getInt(16);
        String name = "(name unreadable)";
        if (len > 0 && len <= MAX_BACKING_NAME && offset > 0 && offset + len <= file.length()) {
            ByteBuffer n = file.readStruct(offset, len, "qcow2.header.backing-file");
            name = "'" + StandardCharsets.UTF_8.decode(n) + "'";
        }
        throw new UnsupportedImageException("qcow2.header.backing-file", "the image depends on the backing file "
                + name + " and is not self-contained; flatten it first with"
                + " qemu-img convert -O qcow2 <this image> <flat.qcow2> and use the flat copy");
    }

    private static void checkL1(FileRegion file, int clusterBits, long size, int l1Size, long l1Offset)
            throws IOException {
        int l2Bits = clusterBits - 3;
        long perL2 = 1L << (clusterBits + l2Bits);
        long needed = (size + perL2 - 1) / perL2;
        if (l1Size < needed || (long) l1Size * 8 > MAX_L1_BYTES) {
            throw new CorruptImageException("qcow2.header.l1-size", "l1_size is " + Integer.toUnsignedString(l1Size)
                    + "; the virtual size needs " + needed + " and at most " + MAX_L1_BYTES / 8 + " are allowed");
        }
        if (l1Size > 0 && (l1Offset <= 0 || (l1Offset & ((1L << clusterBits) - 1)) != 0
                || l1Offset > file.length() || (long) l1Size * 8 > file.length() - l1Offset)) {
            throw new CorruptImageException("qcow2.header.l1-offset", "L1 table at " + l1Offset + " with "
                    + l1Size + " entries is unaligned or lies beyond the end of the file (" + file.length() + " bytes)");
        }
    }

    private static void checkExtensions(ByteBuffer h, int start, int area) throws IOException {
        int off = start;
        while (true) {
            if (off + 8 > area) {
                throw new CorruptImageException("qcow2.header.extensions",
                        "header extension at " + off + " runs past the header area (" + area + " bytes)");
            }
            int type = h.getInt(off);
            long len = Integer.toUnsignedLong(h.getInt(off + 4));
            if (type == EXT_END) {
                return;
            }
            if (len > area - off - 8) {
                throw new CorruptImageException("qcow2.header.extensions", "extension 0x" + Integer.toHexString(type)
                        + " claims " + len + " bytes but only " + (area - off - 8) + " remain in the header area");
            }
            if (type == EXT_DATA_FILE) {
                throw new UnsupportedImageException("qcow2.header.external-data-file",
                        "the image names an external data file; qemu-img convert it to a self-contained image first");
            }
            if (type == EXT_CRYPTO) {
                throw new UnsupportedImageException("qcow2.header.encryption",
                        "the image carries a LUKS encryption header; decrypt it with qemu-img convert first");
            }
            off += 8 + (int) ((len + 7) & ~7L);
        }
    }
}
