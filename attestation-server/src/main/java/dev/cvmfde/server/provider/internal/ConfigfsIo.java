package dev.cvmfde.server.provider.internal;

import java.nio.file.Path;

/**
 * The four operations the tsm provider performs on configfs. This is the seam between the
 * provider and the kernel: {@link #kernel()} issues the real system calls; tests put a configfs
 * emulator here (over a real temporary directory) to produce the kernel's behaviour and races.
 */
public interface ConfigfsIo {

    void mkdir(Path dir) throws ErrnoException;

    void rmdir(Path dir) throws ErrnoException;

    /** Reads a whole attribute; more than {@code limit} bytes fails with EFBIG naming {@code limitName}. */
    byte[] read(Path attribute, int limit, String limitName) throws ErrnoException;

    /** Writes a whole attribute in one open/write/close. */
    void write(Path attribute, byte[] data) throws ErrnoException;

    /** The real thing: mkdir(2), rmdir(2), open/read/write/close(2) through FFM with exact errno. */
    static ConfigfsIo kernel() {
        return new ConfigfsIo() {
            @Override
            public void mkdir(Path dir) throws ErrnoException {
                Libc.mkdir(dir, 0700);
            }

            @Override
            public void rmdir(Path dir) throws ErrnoException {
                Libc.rmdir(dir);
            }

            @Override
            public byte[] read(Path attribute, int limit, String limitName) throws ErrnoException {
                return Libc.readFile(attribute, limit, limitName);
            }

            @Override
            public void write(Path attribute, byte[] data) throws ErrnoException {
                Libc.writeFile(attribute, data);
            }
        };
    }
}
