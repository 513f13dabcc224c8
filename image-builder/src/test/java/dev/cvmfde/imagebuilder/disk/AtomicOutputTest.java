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
    void create_missingDirectory_clearError() {
        assertThrows(NoSuchFileException.class, () -> AtomicOutput.create(dir.resolve("nope/out.img")));
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
}
