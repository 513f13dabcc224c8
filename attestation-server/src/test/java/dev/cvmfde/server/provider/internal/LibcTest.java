package dev.cvmfde.server.provider.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FFM calls against the real kernel: the errno each failure carries is the exact one. */
class LibcTest {
    @TempDir
    Path tmp;

    @Test
    void open_missingFile_throwsEnoent() {
        ErrnoException e = assertThrows(ErrnoException.class, () -> Libc.open(tmp.resolve("none"), Libc.O_RDONLY));
        assertEquals(Errno.ENOENT, e.errno());
    }

    @Test
    void mkdir_existingDirectory_throwsEexist() {
        ErrnoException e = assertThrows(ErrnoException.class, () -> Libc.mkdir(tmp, 0700));
        assertEquals(Errno.EEXIST, e.errno());
    }

    @Test
    void rmdir_nonEmptyDirectory_throwsEnotempty() throws Exception {
        Files.writeString(tmp.resolve("f"), "x");
        ErrnoException e = assertThrows(ErrnoException.class, () -> Libc.rmdir(tmp));
        assertEquals(Errno.ENOTEMPTY, e.errno());
    }

    @Test
    void readFile_directory_throwsEisdir() {
        ErrnoException e = assertThrows(ErrnoException.class, () -> Libc.readFile(tmp, 16, "TEST_LIMIT"));
        assertEquals(Errno.EISDIR, e.errno());
    }

    @Test
    void writeFile_devFull_throwsEnospc() {
        ErrnoException e = assertThrows(ErrnoException.class, () -> Libc.writeFile(Path.of("/dev/full"), new byte[8]));
        assertEquals(Errno.ENOSPC, e.errno());
    }

    @Test
    void ioctl_regularFile_throwsEnotty() throws Exception {
        Path f = Files.write(tmp.resolve("f"), new byte[8]);
        int fd = Libc.open(f, Libc.O_RDONLY);
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> Libc.ioctl(fd, f, "TEST", 0x5401L, arena.allocate(64)));
            assertEquals(Errno.ENOTTY, e.errno());
        } finally {
            Libc.close(fd, f);
        }
    }

    @Test
    void readFile_overLimit_throwsEfbigNamingLimit() throws Exception {
        Path f = Files.write(tmp.resolve("f"), new byte[17]);
        ErrnoException e = assertThrows(ErrnoException.class, () -> Libc.readFile(f, 16, "TEST_LIMIT"));
        assertEquals(Errno.EFBIG, e.errno());
        assertTrue(e.getMessage().contains("TEST_LIMIT"), e.getMessage());
    }

    @Test
    void readFile_largerThanOneChunk_returnsAllBytes() throws Exception {
        byte[] data = new byte[200_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        Path f = Files.write(tmp.resolve("f"), data);
        assertArrayEquals(data, Libc.readFile(f, data.length, "TEST_LIMIT"));
    }

    @Test
    void writeFile_thenReadFile_roundTrips() throws Exception {
        Path f = Files.write(tmp.resolve("f"), new byte[0]);
        byte[] data = {1, 2, 3, 4};
        Libc.writeFile(f, data);
        assertArrayEquals(data, Libc.readFile(f, 4, "TEST_LIMIT"));
    }
}
