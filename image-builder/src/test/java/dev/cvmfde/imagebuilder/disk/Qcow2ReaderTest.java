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
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** qcow2 images made by qemu-img read byte for byte like their raw source. */
class Qcow2ReaderTest {
    /** qemu-img runs made for the LUKS-encrypted fixture (see open_luksEncryptedQcow2_refusedNamingTheCheck). */
    private static final int QEMU_PBKDF_ATTEMPTS = 5;


    static final long SIZE = 96L << 20;

    @TempDir
    static Path dir;
    static Path source;
    static String sourceSha;

    @BeforeAll
    static void makeSource() throws Exception {
        source = Tools.sparseRaw(dir, "source.raw", SIZE, 42);
        sourceSha = sha256(source);
    }

    private static Path convert(String name, String... opts) throws Exception {
        Path out = dir.resolve(name);
        String[] cmd = new String[6 + opts.length];
        cmd[0] = "qemu-img";
        cmd[1] = "convert";
        cmd[2] = "-f";
        cmd[3] = "raw";
        System.arraycopy(opts, 0, cmd, 4, opts.length);
        cmd[4 + opts.length] = source.toString();
        cmd[5 + opts.length] = out.toString();
        ok(cmd);
        return out;
    }

    private static void assertReadsLikeSource(Path image, DiskFormat expected) throws IOException {
        try (VirtualDisk d = VirtualDisks.open(image)) {
            assertEquals(expected, d.format());
            assertEquals(SIZE, d.size());
            assertEquals(sourceSha, DiskBytes.sha256(d, 4 << 20), "4 MiB reads");
            assertEquals(sourceSha, DiskBytes.sha256(d, 65536 - 512 + 7), "unaligned small reads");
        }
    }

    @Test
    void read_qcow2Version2_equalsSource() throws Exception {
        assertReadsLikeSource(convert("v2.qcow2", "-O", "qcow2", "-o", "compat=0.10"), DiskFormat.QCOW2);
    }

    @Test
    void read_qcow2Version3_equalsSource() throws Exception {
        assertReadsLikeSource(convert("v3.qcow2", "-O", "qcow2", "-o", "compat=1.1"), DiskFormat.QCOW2);
    }

    @Test
    void read_compressedClusters_equalsSource() throws Exception {
        assertReadsLikeSource(convert("c.qcow2", "-O", "qcow2", "-c"), DiskFormat.QCOW2);
    }

    @Test
    void read_smallClustersManyL2Tables_equalsSource() throws Exception {
        // 4 KiB clusters: each L2 table maps only 2 MiB, so the bounded L2 cache is cycled
        assertReadsLikeSource(convert("small.qcow2", "-O", "qcow2", "-o", "cluster_size=4096"), DiskFormat.QCOW2);
    }

    @Test
    void read_zeroClustersVersion3_readAsZeros() throws Exception {
        Path img = convert("z.qcow2", "-O", "qcow2");
        ok("qemu-io", "-f", "qcow2", "-c", "write -z 0 1M", img.toString());
        try (VirtualDisk d = VirtualDisks.open(img)) {
            ByteBuffer b = ByteBuffer.allocate(1 << 20);
            d.read(0, b);
            assertTrue(dev.cvmfde.imagebuilder.disk.internal.ZeroFill.isZero(b.flip(), 0, 1 << 20));
            assertTrue(d.nextDataExtent(0).orElseThrow().offset() >= 1 << 20, "zero clusters are not data");
        }
    }

    @Test
    void nextDataExtent_sparseImage_skipsHoles() throws Exception {
        Path img = convert("sparse.qcow2", "-O", "qcow2");
        long data = 0;
        try (VirtualDisk d = VirtualDisks.open(img)) {
            Optional<DiskExtent> e = d.nextDataExtent(0);
            while (e.isPresent()) {
                data += e.get().length();
                e = d.nextDataExtent(e.get().end());
            }
        }
        assertTrue(data > 3 << 20 && data < 8 << 20, "extents cover the written data only, got " + data);
    }

    @Test
    void nextDataExtent_sparseRaw_coversOnlyWrittenData() throws Exception {
        long data = 0;
        try (VirtualDisk d = VirtualDisks.open(source)) {
            Optional<DiskExtent> e = d.nextDataExtent(0);
            while (e.isPresent()) {
                data += e.get().length();
                e = d.nextDataExtent(e.get().end());
            }
            assertEquals(sourceSha, DiskBytes.sha256(d, 4 << 20));
        }
        assertTrue(data > 3 << 20 && data < 8 << 20, "SEEK_DATA extents cover the written data only, got " + data);
    }

    @Test
    void open_zstdCompression_refusedNamingTheCheck() throws Exception {
        Path img = convert("zstd.qcow2", "-O", "qcow2", "-c", "-o", "compression_type=zstd");
        var e = assertThrows(UnsupportedImageException.class, () -> VirtualDisks.open(img));
        assertEquals("qcow2.header.compression-type", e.check());
    }

    @Test
    void open_backingFile_refusedInputUnchanged() throws Exception {
        Path base = convert("base.qcow2", "-O", "qcow2");
        Path overlay = dir.resolve("overlay.qcow2");
        ok("qemu-img", "create", "-f", "qcow2", "-F", "qcow2", "-b", base.toString(), overlay.toString());
        String before = sha256(overlay);
        var e = assertThrows(UnsupportedImageException.class, () -> VirtualDisks.open(overlay));
        assertEquals("qcow2.header.backing-file", e.check());
        assertTrue(e.getMessage().contains("qemu-img convert"), "the message says how to flatten");
        assertEquals(before, sha256(overlay));
    }

    @Test
    void open_truncatedImage_corrupt() throws Exception {
        Path img = convert("trunc.qcow2", "-O", "qcow2");
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        String before = sha256(img);
        var e = assertThrows(CorruptImageException.class, () -> {
            try (VirtualDisk d = VirtualDisks.open(img)) {
                DiskBytes.sha256(d, 4 << 20);
            }
        });
        assertTrue(e.check().startsWith("qcow2."), e.check());
        assertEquals(before, sha256(img));
    }

    @Test
    void open_headerOnly_corruptTruncated() throws Exception {
        Path img = convert("hdr.qcow2", "-O", "qcow2");
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.truncate(40);
        }
        var e = assertThrows(CorruptImageException.class, () -> VirtualDisks.open(img));
        assertEquals("qcow2.header.truncated", e.check());
    }

    @Test
    void read_l2EntryBeyondEof_corruptNamed() throws Exception {
        Path img = convert("l2.qcow2", "-O", "qcow2");
        long l2Offset;
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer h = ByteBuffer.allocate(8);
            ch.read(h, 40);
            long l1 = h.flip().getLong();
            ch.read(h.clear(), l1);
            l2Offset = h.flip().getLong() & 0x00fffffffffffe00L;
            ch.write(ByteBuffer.allocate(8).putLong(0, (1L << 63) | (ch.size() + (1L << 30))), l2Offset);
        }
        String before = sha256(img);
        try (VirtualDisk d = VirtualDisks.open(img)) {
            var e = assertThrows(CorruptImageException.class, () -> d.read(0, ByteBuffer.allocate(4096)));
            assertEquals("qcow2.l2-entry.bounds", e.check());
        }
        assertEquals(before, sha256(img));
    }

    @Test
    void open_absurdVirtualSize_corruptNamed() throws Exception {
        Path img = convert("huge.qcow2", "-O", "qcow2");
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).putLong(0, 1L << 62), 24);
        }
        var e = assertThrows(CorruptImageException.class, () -> VirtualDisks.open(img));
        assertEquals("qcow2.header.size", e.check());
    }

    @Test
    void open_absurdL1Size_corruptNamed() throws Exception {
        Path img = convert("l1.qcow2", "-O", "qcow2");
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).putInt(0, 0x7fffffff), 36);
        }
        var e = assertThrows(CorruptImageException.class, () -> VirtualDisks.open(img));
        assertEquals("qcow2.header.l1-size", e.check());
    }

    @Test
    void read_afterInternalSnapshotAndOverwrite_equalsQemuActiveImage() throws Exception {
        Path img = convert("snap.qcow2", "-O", "qcow2");
        ok("qemu-img", "snapshot", "-c", "before", img.toString());
        ok("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 100k 300k", "-c", "write -z 2M 64k", img.toString());
        Path expected = dir.resolve("snap.expected.raw");
        ok("qemu-img", "convert", "-f", "qcow2", "-O", "raw", img.toString(), expected.toString());
        try (VirtualDisk d = VirtualDisks.open(img)) {
            assertEquals(sha256(expected), DiskBytes.sha256(d, 1 << 20));
        }
    }

    @Test
    void read_dirtyBitSet_stillReadsSource() throws Exception {
        Path img = convert("dirty.qcow2", "-O", "qcow2");
        setIncompatibleBits(img, 1);
        assertReadsLikeSource(img, DiskFormat.QCOW2);
    }

    @Test
    void open_corruptBitSet_refusedNamingTheCheck() throws Exception {
        Path img = convert("corruptbit.qcow2", "-O", "qcow2");
        setIncompatibleBits(img, 2);
        var e = assertThrows(CorruptImageException.class, () -> VirtualDisks.open(img));
        assertEquals("qcow2.header.corrupt-bit", e.check());
    }

    @Test
    void open_headerExtensionLengthBeyondHeader_corruptNamed() throws Exception {
        Path img = convert("ext.qcow2", "-O", "qcow2");
        int headerLength;
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(4);
            ch.read(b, 100);
            headerLength = b.flip().getInt();
            // first extension: keep its type, claim a length far past the header cluster
            ch.write(ByteBuffer.allocate(4).putInt(0, 0x7fff0000), headerLength + 4);
        }
        var e = assertThrows(CorruptImageException.class, () -> VirtualDisks.open(img));
        assertEquals("qcow2.header.extensions", e.check());
    }

    @Test
    void open_extendedL2Entries_refusedNamingTheCheck() throws Exception {
        Path img = convert("extl2.qcow2", "-O", "qcow2", "-o", "extended_l2=on");
        var e = assertThrows(UnsupportedImageException.class, () -> VirtualDisks.open(img));
        assertEquals("qcow2.header.extended-l2", e.check());
    }

    @Test
    void open_luksEncryptedQcow2_refusedNamingTheCheck() throws Exception {
        Path img = dir.resolve("enc.qcow2");
        String[] create = {"qemu-img", "create", "--object", "secret,id=sec0,data=test-passphrase-only", "-f", "qcow2",
            "-o", "encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=10", img.toString(), "8M"};
        // QEMU times PBKDF2 by the thread's CPU time; where the kernel accounts it per tick, a short
        // first round can read 0 ms and qemu-img gives up ("Unable to get accurate CPU usage"):
        // that is the fixture failing, not the reader, so it is made again
        Tools.Result made = Tools.run(create);
        for (int attempt = 1; attempt < QEMU_PBKDF_ATTEMPTS && made.exit() != 0
                && made.out().contains("Unable to get accurate CPU usage"); attempt++) {
            made = Tools.run(create);
        }
        Tools.Result last = made;
        assertEquals(0, last.exit(), () -> String.join(" ", create) + ":\n" + last.out());
        var e = assertThrows(UnsupportedImageException.class, () -> VirtualDisks.open(img));
        assertEquals("qcow2.header.encryption", e.check());
    }

    private static void setIncompatibleBits(Path img, long bits) throws IOException {
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(8);
            ch.read(b, 72);
            ch.write(ByteBuffer.allocate(8).putLong(0, b.flip().getLong() | bits), 72);
        }
    }
}
