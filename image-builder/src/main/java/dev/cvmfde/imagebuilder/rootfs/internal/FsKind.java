package dev.cvmfde.imagebuilder.rootfs.internal;

import dev.cvmfde.imagebuilder.disk.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** What a partition holds, recognised by the file system's magic numbers (not by its type code). */
public enum FsKind {
    VFAT("vfat"), EXT("ext2/3/4"), XFS("xfs"), BTRFS("btrfs"), LVM("LVM2 physical volume"), LUKS("LUKS"),
    SWAP("swap"), EMPTY("nothing (all zeros)"), UNKNOWN("an unknown file system");

    /** Bytes read from the partition's start: enough for btrfs' superblock at 64 KiB. */
    static final int PROBE_BYTES = 0x10040 + 8;

    private final String label;

    FsKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The kind of file system at {@code offset} of {@code disk} (a partition of {@code length} bytes). */
    public static FsKind probe(VirtualDisk disk, long offset, long length) throws IOException {
        int n = (int) Math.min(PROBE_BYTES, length);
        ByteBuffer b = ByteBuffer.allocate(n);
        disk.read(offset, b);
        return of(b.array());
    }

    static FsKind of(byte[] s) {
        if (s.length >= 512 && (s[510] & 0xff) == 0x55 && (s[511] & 0xff) == 0xaa
                && (ascii(s, 82, 5).equals("FAT32") || ascii(s, 54, 4).equals("FAT1"))) {
            return VFAT;
        }
        if (s.length >= 1082 && (s[1080] & 0xff) == 0x53 && (s[1081] & 0xff) == 0xef) {
            return EXT;
        }
        if (ascii(s, 0, 4).equals("XFSB")) {
            return XFS;
        }
        if (ascii(s, 0, 4).equals("LUKS") && s.length > 5 && (s[4] & 0xff) == 0xba && (s[5] & 0xff) == 0xbe) {
            return LUKS;
        }
        for (int sector = 0; sector < 4; sector++) {
            if (ascii(s, sector * 512, 8).equals("LABELONE")) {
                return LVM;
            }
        }
        if (ascii(s, 0x10040, 8).equals("_BHRfS_M")) {
            return BTRFS;
        }
        if (ascii(s, 4086, 10).equals("SWAPSPACE2") || ascii(s, 4086, 10).equals("SWAP-SPACE")) {
            return SWAP;
        }
        for (byte x : s) {
            if (x != 0) {
                return UNKNOWN;
            }
        }
        return EMPTY;
    }

    private static String ascii(byte[] s, int at, int len) {
        return at + len <= s.length ? new String(s, at, len, StandardCharsets.ISO_8859_1) : "";
    }
}
