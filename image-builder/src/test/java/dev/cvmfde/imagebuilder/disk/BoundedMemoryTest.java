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
        String log = ok(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CopyMain.class.getName(), src.toString(), out.toString(), "QCOW2");
        assertTrue(log.contains("max heap"), log);
        String check = ok("qemu-img", "check", "-f", "qcow2", out.toString());
        assertTrue(check.contains("No errors were found"), check);
        ok("qemu-img", "compare", "-f", "qcow2", "-F", "qcow2", src.toString(), out.toString());
    }
}
