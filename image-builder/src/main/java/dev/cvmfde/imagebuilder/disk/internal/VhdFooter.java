package dev.cvmfde.imagebuilder.disk.internal;

import dev.cvmfde.imagebuilder.disk.CorruptImageException;
import dev.cvmfde.imagebuilder.disk.UnsupportedImageException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The 512-byte VHD footer (fixed and dynamic disks), checksum-validated. The virtual size
 * follows qemu's rule so that our reads equal {@code qemu-img convert}: images written by
 * Virtual PC or older qemu ("vpc ", "qemu") are as large as their CHS geometry, all others
 * (Hyper-V, qemu with force_size, ...) as large as their current_size field.
 */
record VhdFooter(int diskType, long currentSize, long virtualSize, long dataOffset) {

    static final int SIZE = 512;
    static final int TYPE_FIXED = 2;
    static final int TYPE_DYNAMIC = 3;
    static final int TYPE_DIFFERENCING = 4;
    static final byte[] COOKIE = "conectix".getBytes(StandardCharsets.US_ASCII);
    /** VHD's own maximum: 2040 GiB. */
    static final long MAX_VIRTUAL_SIZE = 2040L << 30;
    private static final long MAX_GEOMETRY_SECTORS = 65535L * 16 * 255;

    static boolean hasCookie(ByteBuffer b) {
        return b.remaining() >= 8 && b.slice(b.position(), 8).equals(ByteBuffer.wrap(COOKIE));
    }

    static VhdFooter parse(ByteBuffer f, String where) throws CorruptImageException, UnsupportedImageException {
        if (!hasCookie(f)) {
            throw new CorruptImageException("vhd." + where + ".cookie", "expected 'conectix' at the start of the " + where);
        }
        long stored = Integer.toUnsignedLong(f.getInt(64));
        long computed = checksum(f, 64);
        if (stored != computed) {
            throw new CorruptImageException("vhd." + where + ".checksum", "stored checksum 0x" + Long.toHexString(stored)
                    + " does not equal the computed 0x" + Long.toHexString(computed));
        }
        int diskType = f.getInt(60);
        if (diskType == TYPE_DIFFERENCING) {
            throw new UnsupportedImageException("vhd.differencing", "this is a differencing VHD that depends on a"
                    + " parent disk; merge it first with qemu-img convert -O vpc -o subformat=fixed <this> <flat.vhd>");
        }
        if (diskType != TYPE_FIXED && diskType != TYPE_DYNAMIC) {
            throw new UnsupportedImageException("vhd.disk-type", "disk type " + diskType + "; expected 2 (fixed) or 3 (dynamic)");
        }
        long currentSize = f.getLong(48);
        if (currentSize < 0 || currentSize > MAX_VIRTUAL_SIZE) {
            throw new CorruptImageException("vhd." + where + ".size", "current size " + Long.toUnsignedString(currentSize)
                    + " bytes; at most " + MAX_VIRTUAL_SIZE + " (2040 GiB) is allowed");
        }
        long chs = (long) (f.getShort(56) & 0xffff) * (f.get(58) & 0xff) * (f.get(59) & 0xff);
        String creator = new String(f.array(), f.arrayOffset() + 28, 4, StandardCharsets.ISO_8859_1);
        boolean useChs = creator.equals("vpc ") || creator.equals("qemu");
        long virtualSize = useChs && chs != MAX_GEOMETRY_SECTORS ? chs * 512 : currentSize / 512 * 512;
        return new VhdFooter(diskType, currentSize, virtualSize, f.getLong(16));
    }

    /** One's complement of the byte sum of {@code b}, skipping the 4-byte checksum field. */
    static long checksum(ByteBuffer b, int checksumOffset) {
        long sum = 0;
        byte[] a = b.array();
        int base = b.arrayOffset();
        for (int i = 0; i < b.limit(); i++) {
            if (i < checksumOffset || i >= checksumOffset + 4) {
                sum += a[base + i] & 0xff;
            }
        }
        return ~sum & 0xffffffffL;
    }
}
