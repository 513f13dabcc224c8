package dev.cvmfde.imagebuilder.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.cvmfde.imagebuilder.testsupport.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicOutputTest {

    @TempDir
    Path dir;

    @Test
    void commit_afterWrite_targetHasContentAndTempIsGone() throws IOException {
        Path target = dir.resolve("out.img");
        try (AtomicOutput out = AtomicOutput.create(target)) {
            assertEquals(dir.toAbsolutePath(), out.tempFile().getParent(), "temp file lives beside the target");
            Files.writeString(out.tempFile(), "done");
            assertFalse(Files.exists(target));
            out.commit();
        }
        assertEquals("done", Files.readString(target));
        assertEquals(List.of("out.img"), Tools.names(dir));
    }

    @Test
    void close_withoutCommit_deletesTempAndKeepsOldTarget() throws IOException {
        Path target = dir.resolve("out.img");
        Files.writeString(target, "old");
        try (AtomicOutput out = AtomicOutput.create(target)) {
            Files.writeString(out.tempFile(), "half");
        }
        assertEquals("old", Files.readString(target));
        assertEquals(List.of("out.img"), Tools.names(dir));
    }

    @Test
    void create_targetIsAnInputThroughSymlink_refused() throws IOException {
        Path input = Files.writeString(dir.resolve("in.img"), "input");
        Path link = Files.createSymbolicLink(dir.resolve("link.img"), input);
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> AtomicOutput.create(link, List.of(input)));
        assertEquals("input", Files.readString(input));
        assertEquals(List.of("in.img", "link.img"), Tools.names(dir));
    }

    @Test
    void create_missingDirectory_clearError() {
        assertThrows(NoSuchFileException.class, () -> AtomicOutput.create(dir.resolve("nope/out.img")));
    }

    /** The test below skips as root (CI may run as root); sysfs refuses new files even to root. */
    @Test
    void create_directoryNobodyMayWriteTo_clearError() {
        IOException e = assertThrows(IOException.class, () -> AtomicOutput.create(Path.of("/sys/out.img")));
        assertTrue(e.getMessage().contains("not writable"), e.getMessage());
    }

    @Test
    void create_unwritableDirectory_clearError() throws IOException {
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(ro), "running as root: directory permissions do not apply");
            IOException e = assertThrows(IOException.class, () -> AtomicOutput.create(ro.resolve("out.img")));
            assertTrue(e.getMessage().contains("not writable"), e.getMessage());
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void sigterm_duringCopy_leavesNoPartialOutput() throws Exception {
        Path input = dir.resolve("dense.raw");
        try (var ch = java.nio.channels.FileChannel.open(input, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            byte[] b = new byte[1 << 20];
            java.util.Random r = new java.util.Random(1);
            for (int i = 0; i < 768; i++) {
                r.nextBytes(b);
                ch.write(java.nio.ByteBuffer.wrap(b));
            }
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx256m", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                CopyMain.class.getName(), input.toString(), dir.resolve("out.qcow2").toString(), "QCOW2")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (Tools.names(dir).stream().noneMatch(n -> n.endsWith(".partial")) && p.isAlive()
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(p.isAlive(), "the copy should still be running when it is killed");
        p.destroy(); // SIGTERM, as kill(1) sends
        p.waitFor();
        assertEquals(List.of("dense.raw"), Tools.names(dir), "no target and no temp file remain");
    }
}
