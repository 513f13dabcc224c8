package dev.cvmfde.imagebuilder.disk;

import dev.cvmfde.imagebuilder.disk.internal.Qcow2Disk;
import dev.cvmfde.imagebuilder.disk.internal.RawDisk;
import dev.cvmfde.imagebuilder.disk.internal.SliceDisk;
import dev.cvmfde.imagebuilder.disk.internal.VhdDynamicDisk;
import dev.cvmfde.imagebuilder.disk.internal.VhdFixedFooter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens disk images read-only, detecting the format by its magic: qcow2 ({@code QFI\xfb} at 0),
 * VHD ({@code conectix} footer in the last 512 bytes), otherwise raw. Images in formats this
 * module does not read (VMDK, VDI, QED, LUKS) are refused rather than misread as raw.
 */
public final class VirtualDisks {

    private static final int QCOW2_MAGIC = 0x514649fb;
    private static final int VHD_FOOTER = 512;

    private VirtualDisks() {}

    /** Opens {@code path} read-only in the detected format; the caller closes the disk. */
    public static VirtualDisk open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return open(ch, path);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The format {@link #open} would use for {@code path}. */
    public static DiskFormat detect(Path path) throws IOException {
        try (VirtualDisk d = open(path)) {
            return d.format();
        }
    }

    /**
     * A view of {@code disk[offset, offset + length)} as a disk of its own, e.g. one partition.
     * Closing the view does not close {@code disk}.
     */
    public static VirtualDisk slice(VirtualDisk disk, long offset, long length) {
        return new SliceDisk(disk, offset, length);
    }

    private static VirtualDisk open(FileChannel ch, Path path) throws IOException {
        long length = ch.size();
        ByteBuffer head = ByteBuffer.allocate((int) Math.min(length, 8)).order(ByteOrder.BIG_ENDIAN);
        readAt(ch, 0, head);
        if (head.limit() >= 4 && head.getInt(0) == QCOW2_MAGIC) {
            return new Qcow2Disk(ch);
        }
        refuseOtherFormats(head);
        if (length >= VHD_FOOTER) {
            ByteBuffer footer = ByteBuffer.allocate(VHD_FOOTER);
            readAt(ch, length - VHD_FOOTER, footer);
            if (startsWith(footer, "conectix")) {
                return openVhd(ch, path, footer, length);
            }
        }
        if (startsWith(head, "conectix")) {
            throw new CorruptImageException("vhd.footer.cookie", "the file starts with a VHD footer copy but has no"
                    + " footer in its last 512 bytes (truncated dynamic VHD?)");
        }
        return new RawDisk(ch, path, length, length, DiskFormat.RAW);
    }

    private static VirtualDisk openVhd(FileChannel ch, Path path, ByteBuffer footer, long length) throws IOException {
        int type = footer.getInt(60);
        if (type == 3 || type == 4) {
            return new VhdDynamicDisk(ch, footer);
        }
        return new RawDisk(ch, path, VhdFixedFooter.virtualSize(footer, length), length - VHD_FOOTER, DiskFormat.VHD_FIXED);
    }

    private static void refuseOtherFormats(ByteBuffer head) throws UnsupportedImageException {
        String name = startsWith(head, "KDMV") ? "VMDK" : startsWith(head, "QFI\u00fe") ? "QED"
                : startsWith(head, "LUKS\u00ba\u00be") ? "LUKS" : startsWith(head, "<<< ") ? "VDI" : null;
        if (name != null) {
            throw new UnsupportedImageException("format.detect", "the input is a " + name
                    + " image; convert it first with qemu-img convert -O qcow2 (or -O raw)");
        }
    }

    private static boolean startsWith(ByteBuffer b, String magic) {
        byte[] m = magic.getBytes(StandardCharsets.ISO_8859_1);
        return b.limit() >= m.length && b.slice(0, m.length).equals(ByteBuffer.wrap(m));
    }

    private static void readAt(FileChannel ch, long offset, ByteBuffer dst) throws IOException {
        long pos = offset;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                throw new CorruptImageException("file.read", "file ended at " + pos);
            }
            pos += n;
        }
        dst.flip();
    }
}
