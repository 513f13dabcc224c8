package dev.cvmfde.imagebuilder.disk;

import static dev.cvmfde.imagebuilder.testsupport.Tools.ok;
import static dev.cvmfde.imagebuilder.testsupport.Tools.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.imagebuilder.testsupport.DiskBytes;
import dev.cvmfde.imagebuilder.testsupport.Tools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VHDs made by {@code qemu-img convert -O vpc} read like qemu reads them, and like the raw
 * source over the source's length (VHD sizes are rounded to a CHS geometry by qemu).
 */
class VhdReaderTest {

    // 64 MiB is not a whole CHS geometry: qemu rounds it, which exercises the size rule
    static final long SIZE = 64L << 20;

    @TempDir
    static Path dir;
    static Path source;

    @BeforeAll
    static void makeSource() throws Exception {
        source = Tools.sparseRaw(dir, "source.raw", SIZE, 7);
    }

    private static Path vhd(String name, String subformat, String... extra) throws Exception {
        Path out = dir.resolve(name);
        String opts = "subformat=" + subformat + String.join("", extra);
        ok("qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", opts, source.toString(), out.toString());
        return out;
    }

    /** What qemu itself reads from the VHD: the reference for our reader. */
    private static Path qemuRaw(Path vhd) throws Exception {
        Path out = dir.resolve(vhd.getFileName() + ".qemu.raw");
        ok("qemu-img", "convert", "-f", "vpc", "-O", "raw", vhd.toString(), out.toString());
        return out;
    }

    private static void assertReadsLikeQemuAndSource(Path vhd, DiskFormat expected) throws Exception {
        Path reference = qemuRaw(vhd);
        try (VirtualDisk d = VirtualDisks.open(vhd); VirtualDisk src = VirtualDisks.open(source)) {
            assertEquals(expected, d.format());
            assertEquals(Files.size(reference), d.size(), "virtual size equals qemu's");
            assertEquals(sha256(reference), DiskBytes.sha256(d, 3 << 20));
            long common = Math.min(SIZE, d.size());
            assertEquals(prefixSha(src, common), prefixSha(d, common), "the source's bytes come back");
        }
    }

    private static String prefixSha(VirtualDisk d, long length) throws IOException {
        try {
            var md = java.security.MessageDigest.getInstance("SHA-256");
            ByteBuffer b = ByteBuffer.allocate(1 << 20);
            for (long p = 0; p < length; p += b.capacity()) {
                b.clear().limit((int) Math.min(b.capacity(), length - p));
                d.read(p, b);
                md.update(b.flip());
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void read_fixedVhd_equalsQemuAndSource() throws Exception {
        assertReadsLikeQemuAndSource(vhd("fixed.vhd", "fixed"), DiskFormat.VHD_FIXED);
    }

    @Test
    void read_dynamicVhd_equalsQemuAndSource() throws Exception {
        assertReadsLikeQemuAndSource(vhd("dynamic.vhd", "dynamic"), DiskFormat.VHD_DYNAMIC);
    }

    @Test
    void read_forceSizeVhd_usesCurrentSize() throws Exception {
        Path v = vhd("forced.vhd", "dynamic", ",force_size=on");
        try (VirtualDisk d = VirtualDisks.open(v)) {
            assertEquals(SIZE, d.size());
        }
        assertReadsLikeQemuAndSource(v, DiskFormat.VHD_DYNAMIC);
    }

    @Test
    void read_dynamicToFixedToRawChain_collapsesIntoOneRead() throws Exception {
        // the IBM flow: dynamic VHD -> fixed VHD -> raw with qemu-img, versus one read of ours
        Path dyn = vhd("ibm.vhd", "dynamic");
        Path fixed = dir.resolve("ibm-fixed.vhd");
        ok("qemu-img", "convert", "-f", "vpc", "-O", "vpc", "-o", "subformat=fixed", dyn.toString(), fixed.toString());
        Path raw = qemuRaw(fixed);
        try (VirtualDisk d = VirtualDisks.open(dyn)) {
            assertEquals(sha256(raw), DiskBytes.sha256(d, 4 << 20));
        }
    }

    @Test
    void nextDataExtent_dynamicVhd_skipsUnallocatedBlocks() throws Exception {
        Path v = vhd("ext.vhd", "dynamic");
        long data = 0;
        try (VirtualDisk d = VirtualDisks.open(v)) {
            Optional<DiskExtent> e = d.nextDataExtent(0);
            while (e.isPresent()) {
                data += e.get().length();
                e = d.nextDataExtent(e.get().end());
            }
            assertTrue(data > 0 && data <= 16L << 20, "only allocated 2 MiB blocks, got " + data);
        }
    }

    @Test
    void open_footerChecksumWrong_corruptInputUnchanged() throws Exception {
        Path v = vhd("badsum.vhd", "fixed");
        try (FileChannel ch = FileChannel.open(v, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // inside the unique id (random per image): flip bits, so the byte changes whatever it held
            long at = ch.size() - 512 + 68;
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (b.get(0) ^ 0x11)}), at);
        }
        String before = sha256(v);
        var e = assertThrows(CorruptImageException.class, () -> VirtualDisks.open(v));
        assertEquals("vhd.footer.checksum", e.check());
        assertEquals(before, sha256(v));
    }

    @Test
    void open_dynamicHeaderChecksumWrong_corrupt() throws Exception {
        Path v = vhd("badhdr.vhd", "dynamic");
        try (FileChannel ch = FileChannel.open(v, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x11}), 512 + 64); // parent name area of the dynamic header
        }
        var e = assertThrows(CorruptImageException.class, () -> VirtualDisks.open(v));
        assertEquals("vhd.dynamic-header.checksum", e.check());
    }

    @Test
    void open_differencingVhd_refused() throws Exception {
        Path v = vhd("diff.vhd", "dynamic");
        // turn it into a differencing disk (type 4) with valid checksums in both footers
        try (FileChannel ch = FileChannel.open(v, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (long at : new long[] {0, ch.size() - 512}) {
                ByteBuffer f = ByteBuffer.allocate(512);
                ch.read(f, at);
                f.putInt(60, 4).putInt(64, 0);
                long sum = 0;
                for (byte x : f.array()) {
                    sum += x & 0xff;
                }
                f.putInt(64, (int) ~sum);
                ch.write(f.flip(), at);
            }
        }
        var e = assertThrows(UnsupportedImageException.class, () -> VirtualDisks.open(v));
        assertEquals("vhd.differencing", e.check());
    }
}
