package dev.cvmfde.agent.unlock.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A kernel pipe holding the key for a child's standard input. The key is copied from the lent
 * array into native memory, written with {@code write(2)} and the native copy zeroed — it never
 * passes through a Java stream buffer (the {@code Process} output stream is a
 * {@code BufferedOutputStream} whose buffer would keep a copy). The child gets the read end as
 * {@code /proc/self/fd/N} (opening that path of a pipe opens the pipe, not a file).
 */
public final class KeyPipe implements AutoCloseable {
    /** A pipe holds at least this much without a reader (Linux: 64 KiB; POSIX guarantees 4096). */
    public static final int MAX_KEY_BYTES = 4096;
    private static final int O_CLOEXEC = 0x80000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle PIPE2 = downcall("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle WRITE = downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private int readFd;
    private int writeFd;

    private KeyPipe(int readFd, int writeFd) {
        this.readFd = readFd;
        this.writeFd = writeFd;
    }

    /** A pipe already holding {@code key}, its write end closed. */
    public static KeyPipe holding(byte[] key) throws IOException {
        if (key.length == 0 || key.length > MAX_KEY_BYTES) {
            throw new IOException("key is " + key.length + " bytes; 1 to " + MAX_KEY_BYTES + " fit the pipe");
        }
        KeyPipe pipe;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if ((int) PIPE2.invokeExact(fds, O_CLOEXEC) != 0) {
                throw new IOException("pipe2 failed");
            }
            pipe = new KeyPipe(fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1));
            MemorySegment buffer = arena.allocate(key.length);
            try {
                MemorySegment.copy(key, 0, buffer, ValueLayout.JAVA_BYTE, 0, key.length);
                long done = 0;
                while (done < key.length) {
                    long n = (long) WRITE.invokeExact(pipe.writeFd, buffer.asSlice(done), key.length - done);
                    if (n <= 0) {
                        pipe.close();
                        throw new IOException("write to the key pipe failed");
                    }
                    done += n;
                }
            } finally {
                buffer.fill((byte) 0);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("native pipe call failed: " + t.getMessage(), t);
        }
        pipe.closeWriteEnd();
        return pipe;
    }

    /** The path a child process opens as its standard input ({@code ProcessBuilder.redirectInput}). */
    public File readEnd() {
        return new File("/proc/self/fd/" + readFd);
    }

    private void closeWriteEnd() {
        writeFd = closeFd(writeFd);
    }

    /** Closes both ends; unread key bytes are discarded by the kernel with the pipe. */
    @Override
    public void close() {
        writeFd = closeFd(writeFd);
        readFd = closeFd(readFd);
    }

    /** Closes {@code fd} when it is open; returns -1 (the closed marker). Shared with {@link SecretOutput}. */
    static int closeFd(int fd) {
        if (fd >= 0) {
            try {
                int ignored = (int) CLOSE.invokeExact(fd);
            } catch (Throwable t) {
                throw new IllegalStateException("close(2) failed", t);
            }
        }
        return -1;
    }

    /** A downcall handle for the C library's {@code name}. Shared with {@link SecretOutput}. */
    static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("the C library has no symbol '" + name + "'"));
        return LINKER.downcallHandle(symbol, descriptor);
    }
}
