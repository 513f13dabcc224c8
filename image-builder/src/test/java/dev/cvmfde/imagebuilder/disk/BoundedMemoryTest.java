package dev.cvmfde.imagebuilder.disk;

import static dev.cvmfde.imagebuilder.testsupport.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.imagebuilder.testsupport.Tools;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copying a multi-GiB sparse image works in a JVM limited to a 256 MiB heap. */
class BoundedMemoryTest {

    static final long SIZE = 8L << 30;

    @TempDir
    Path dir;

    @Test
    void copy_8GiBSparseQcow2WithXmx256m_succeedsAndComparesEqual() throws Exception {
        Path raw = Tools.sparseRaw(dir, "big.raw", SIZE, 3);
        Path src = dir.resolve("big.qcow2");
        ok("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), src.toString());
        Path out = dir.resolve("copy.qcow2");
        String java = ProcessHandle.current().info().command().orElse("java");
        String log = ok(java, "-Xmx256m", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                CopyMain.class.getName(), src.toString(), out.toString(), "QCOW2");
        assertTrue(log.contains("max heap"), log);
        String check = ok("qemu-img", "check", "-f", "qcow2", out.toString());
        assertTrue(check.contains("No errors were found"), check);
        ok("qemu-img", "compare", "-f", "qcow2", "-F", "qcow2", src.toString(), out.toString());
    }

    @Test
    void copy_8GiBSparseRawWithXmx256m_skipsHolesAndComparesEqual() throws Exception {
        Path raw = Tools.sparseRaw(dir, "big.raw", SIZE, 4);
        Path out = dir.resolve("copy.qcow2");
        String java = ProcessHandle.current().info().command().orElse("java");
        long t0 = System.nanoTime();
        String log = ok(java, "-Xmx256m", "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), CopyMain.class.getName(), raw.toString(), out.toString(), "QCOW2");
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertTrue(log.contains("max heap"), log);
        // reading 8 GiB of holes takes tens of seconds here; SEEK_DATA skips them
        assertTrue(seconds < 20, "holes of the raw input are skipped, took " + seconds + " s");
        ok("qemu-img", "compare", "-f", "raw", "-F", "qcow2", raw.toString(), out.toString());
    }
}
