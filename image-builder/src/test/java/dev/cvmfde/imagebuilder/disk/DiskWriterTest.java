package dev.cvmfde.imagebuilder.disk;

import static dev.cvmfde.imagebuilder.testsupport.Tools.ok;
import static dev.cvmfde.imagebuilder.testsupport.Tools.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.imagebuilder.testsupport.Tools;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What our writers produce is accepted by qemu-img check and compares equal to the source. */
class DiskWriterTest {

    static final long SIZE = (200L << 20) + 512; // not a whole cluster: the tail cluster is partial

    @TempDir
    static Path dir;
    static Path source;

    @BeforeAll
    static void makeSource() throws Exception {
        source = Tools.sparseRaw(dir, "source.raw", SIZE, 99);
    }

    private static Path copyTo(DiskFormat format, String name) throws Exception {
        Path target = dir.resolve(name);
        try (VirtualDisk in = VirtualDisks.open(source); AtomicOutput out = AtomicOutput.create(target);
             DiskImageWriter w = DiskWriters.create(format, out.tempFile(), in.size())) {
            DiskCopy.copy(in, w, done -> { });
            w.finish();
            out.commit();
        }
        return target;
    }

    @Test
    void qcow2Writer_copyOfSparseRaw_passesQemuCheckAndCompare() throws Exception {
        Path out = copyTo(DiskFormat.QCOW2, "out.qcow2");
        String check = ok("qemu-img", "check", "-f", "qcow2", out.toString());
        assertTrue(check.contains("No errors were found"), check);
        ok("qemu-img", "compare", "-f", "raw", "-F", "qcow2", source.toString(), out.toString());
        String info = ok("qemu-img", "info", "-f", "qcow2", out.toString());
        assertTrue(info.contains("compat: 1.1"), info);
        assertTrue(Files.size(out) < 16L << 20, "all-zero clusters are not stored: " + Files.size(out));
    }

    @Test
    void qcow2Writer_readBackByOurReader_equalsSource() throws Exception {
        Path out = copyTo(DiskFormat.QCOW2, "again.qcow2");
        try (VirtualDisk d = VirtualDisks.open(out); VirtualDisk s = VirtualDisks.open(source)) {
            assertEquals(s.size(), d.size());
            assertEquals(dev.cvmfde.imagebuilder.testsupport.DiskBytes.sha256(s, 1 << 20),
                    dev.cvmfde.imagebuilder.testsupport.DiskBytes.sha256(d, 1 << 20));
        }
    }

    @Test
    void qcow2Writer_oddSizedWritesAndZeroRuns_passesQemuCheck() throws Exception {
        long size = 1L << 30;
        Path target = dir.resolve("odd.qcow2");
        Path reference = dir.resolve("odd.raw");
        Random r = new Random(5);
        try (AtomicOutput out = AtomicOutput.create(target);
             DiskImageWriter w = DiskWriters.qcow2(out.tempFile(), size);
             DiskImageWriter ref = DiskWriters.raw(Files.createFile(reference), size)) {
            // > 512 MiB so more than one L2 table; mixes unaligned writes with unaligned holes
            for (int step = 0; w.position() < size; step++) {
                long left = size - w.position();
                if (step % 3 == 2) {
                    long hole = Math.min(left, (long) r.nextInt(40 << 20));
                    w.writeZeros(hole);
                    ref.writeZeros(hole);
                } else {
                    byte[] b = new byte[(int) Math.min(left, r.nextInt(300_000) + 1)];
                    r.nextBytes(b);
                    w.write(ByteBuffer.wrap(b));
                    ref.write(ByteBuffer.wrap(b));
                }
            }
            w.finish();
            ref.finish();
            out.commit();
        }
        String check = ok("qemu-img", "check", "-f", "qcow2", target.toString());
        assertTrue(check.contains("No errors were found"), check);
        ok("qemu-img", "compare", "-f", "raw", "-F", "qcow2", reference.toString(), target.toString());
    }

    @Test
    void qcow2Writer_emptyDisk_passesQemuCheck() throws Exception {
        Path target = dir.resolve("empty.qcow2");
        try (AtomicOutput out = AtomicOutput.create(target);
             DiskImageWriter w = DiskWriters.qcow2(out.tempFile(), 1L << 20)) {
            w.finish();
            out.commit();
        }
        String check = ok("qemu-img", "check", "-f", "qcow2", target.toString());
        assertTrue(check.contains("No errors were found"), check);
        try (VirtualDisk d = VirtualDisks.open(target)) {
            assertTrue(d.nextDataExtent(0).isEmpty());
        }
    }

    @Test
    void rawWriter_copyOfSparseRaw_identicalAndSparse() throws Exception {
        Path out = copyTo(DiskFormat.RAW, "out.raw");
        assertEquals(sha256(source), sha256(out));
        String du = ok("du", "-k", out.toString()).split("\\s+")[0];
        assertTrue(Long.parseLong(du) < 32 * 1024, "holes are kept: " + du + " KiB allocated");
    }

    @Test
    void write_pastTheSize_rejected() throws Exception {
        Path p = Files.createFile(dir.resolve("small.qcow2"));
        try (DiskImageWriter w = DiskWriters.qcow2(p, 65536)) {
            assertThrows(IllegalArgumentException.class, () -> w.write(ByteBuffer.allocate(65537)));
        }
    }

    @Test
    void copy_corruptSource_leavesNoOutputAndInputUnchanged() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("fail"));
        Path bad = sub.resolve("bad.qcow2");
        ok("qemu-img", "convert", "-f", "raw", "-O", "qcow2", source.toString(), bad.toString());
        try (var ch = java.nio.channels.FileChannel.open(bad, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - (1 << 20));
        }
        String before = sha256(bad);
        Path target = sub.resolve("out.qcow2");
        assertThrows(CorruptImageException.class, () -> {
            try (VirtualDisk in = VirtualDisks.open(bad); AtomicOutput out = AtomicOutput.create(target);
                 DiskImageWriter w = DiskWriters.qcow2(out.tempFile(), in.size())) {
                DiskCopy.copy(in, w, done -> { });
                w.finish();
                out.commit();
            }
        });
        assertEquals(before, sha256(bad));
        assertEquals(List.of("bad.qcow2"), Tools.names(sub), "no output or temp file is left behind");
    }
}
