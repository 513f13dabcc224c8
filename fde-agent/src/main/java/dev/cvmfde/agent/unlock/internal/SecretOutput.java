package dev.cvmfde.agent.unlock.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A kernel pipe for a child's standard output when that output is secret (a volume key dumped by
 * cryptsetup, a device-mapper table with its key). Read with {@code read(2)} into native memory
 * that is zeroed afterwards, then into one array the caller owns and zeroizes: no
 * {@code BufferedInputStream} of a {@code Process} ever holds a copy. The child gets the write
 * end as {@code /proc/self/fd/N}; {@link #closeWriteEnd()} after the start so the read sees EOF.
 */
public final class SecretOutput implements AutoCloseable {
    private static final int O_CLOEXEC = 0x80000;
    private static final MethodHandle PIPE2 = downcall("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle READ = downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private volatile int readFd;
    private volatile int writeFd;

    private SecretOutput(int readFd, int writeFd) {
        this.readFd = readFd;
        this.writeFd = writeFd;
    }

    public static SecretOutput open() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if ((int) PIPE2.invokeExact(fds, O_CLOEXEC) != 0) {
                throw new IOException("pipe2 failed");
            }
            return new SecretOutput(fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("native pipe call failed: " + t.getMessage(), t);
        }
    }

    /** The path a child process opens as its standard output ({@code ProcessBuilder.redirectOutput}). */
    public File writeEnd() {
        return new File("/proc/self/fd/" + writeFd);
    }

    public void closeWriteEnd() {
        writeFd = closeFd(writeFd);
    }

    /**
     * Everything the child writes until it closes its end, at most {@code max} bytes (more is
     * read and dropped, so the child never blocks). The caller zeroizes the result.
     */
    public byte[] readAll(int max) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(max);
            MemorySegment sink = arena.allocate(4096);
            long kept = 0;
            try {
                while (true) {
                    long n = kept < max
                            ? (long) READ.invokeExact(readFd, buffer.asSlice(kept), (long) max - kept)
                            : (long) READ.invokeExact(readFd, sink, 4096L);
                    if (n == 0) {
                        break;
                    }
                    if (n < 0) {
                        throw new IOException("read from the output pipe failed");
                    }
                    if (kept < max) {
                        kept += n;
                    }
                }
                byte[] out = new byte[(int) kept];
                MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, out, 0, (int) kept);
                return out;
            } finally {
                buffer.fill((byte) 0);
                sink.fill((byte) 0);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("native read failed: " + t.getMessage(), t);
        }
    }

    @Override
    public void close() {
        writeFd = closeFd(writeFd);
        readFd = closeFd(readFd);
    }

    private static int closeFd(int fd) {
        return KeyPipe.closeFd(fd);
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        return KeyPipe.downcall(name, descriptor);
    }
}
