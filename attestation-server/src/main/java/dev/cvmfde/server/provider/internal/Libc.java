package dev.cvmfde.server.provider.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The few libc calls the providers need, through the FFM API, each with its errno captured by
 * {@code Linker.Option.captureCallState("errno")} right after the call (so nothing the JVM does
 * in between can overwrite it). Every failure becomes an {@link ErrnoException} with the exact
 * errno. EINTR is retried. Reads are bounded by the caller's limit.
 */
final class Libc {
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    /** 02000000: the same on asm-generic (arm64) and x86_64, unlike O_NOFOLLOW/O_DIRECTORY. */
    static final int O_CLOEXEC = 0x80000;

    private static final int READ_CHUNK_BYTES = 64 * 1024;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    // open(2) and ioctl(2) are variadic in C; the variadic part starts at index 2.
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), CAPTURE_ERRNO,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle MKDIR = downcall("mkdir",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle RMDIR = downcall("rmdir",
            FunctionDescriptor.of(JAVA_INT, ADDRESS), CAPTURE_ERRNO);

    private Libc() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("the C library has no symbol '" + name + "'"));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** {@code sizeof(long)} of this platform's C ABI; the TSI structs assume LP64 (8). */
    static long cLongBytes() {
        return LINKER.canonicalLayouts().get("long").byteSize();
    }

    static int open(Path path, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment cPath = arena.allocateFrom(path.toString());
            while (true) {
                int fd = (int) OPEN.invokeExact(state, cPath, flags | O_CLOEXEC);
                if (fd >= 0) {
                    return fd;
                }
                int errno = errno(state);
                if (errno != Errno.EINTR) {
                    throw new ErrnoException(errno, "open", path.toString());
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected("open", t);
        }
    }

    static void close(int fd, Path path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            // No retry on EINTR: Linux has released the descriptor either way.
            if ((int) CLOSE.invokeExact(state, fd) != 0) {
                throw new ErrnoException(errno(state), "close", path.toString());
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected("close", t);
        }
    }

    /** Reads to end of file; more than {@code limit} bytes is an EFBIG of ours, naming the limit. */
    static byte[] readAll(int fd, Path path, int limit, String limitName) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            int chunk = (int) Math.min(READ_CHUNK_BYTES, (long) limit + 1);
            MemorySegment buffer = arena.allocate(chunk);
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(chunk, 4096));
            while (true) {
                long n = (long) READ.invokeExact(state, fd, buffer, (long) chunk);
                if (n < 0) {
                    int errno = errno(state);
                    if (errno == Errno.EINTR) {
                        continue;
                    }
                    throw new ErrnoException(errno, "read", path.toString());
                }
                if (n == 0) {
                    return out.toByteArray();
                }
                if (out.size() + n > limit) {
                    throw new ErrnoException(Errno.EFBIG, "read", path.toString(),
                            "more than " + limit + " bytes, our limit " + limitName);
                }
                out.write(buffer.asSlice(0, n).toArray(JAVA_BYTE));
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected("read", t);
        }
    }

    static void writeAll(int fd, Path path, byte[] data) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment buffer = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buffer, JAVA_BYTE, 0, data.length);
            long done = 0;
            while (done < data.length) {
                long n = (long) WRITE.invokeExact(state, fd, buffer.asSlice(done), data.length - done);
                if (n < 0) {
                    int errno = errno(state);
                    if (errno == Errno.EINTR) {
                        continue;
                    }
                    throw new ErrnoException(errno, "write", path.toString());
                }
                done += n;
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected("write", t);
        }
    }

    static void ioctl(int fd, Path path, String request, long command, MemorySegment argument)
            throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            while (true) {
                int rc = (int) IOCTL.invokeExact(state, fd, command, argument);
                if (rc >= 0) {
                    return;
                }
                int errno = errno(state);
                if (errno != Errno.EINTR) {
                    throw new ErrnoException(errno, "ioctl " + request + " on", path.toString());
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected("ioctl", t);
        }
    }

    static void mkdir(Path path, int mode) throws ErrnoException {
        pathCall(MKDIR, "mkdir", path, mode);
    }

    static void rmdir(Path path) throws ErrnoException {
        pathCall(RMDIR, "rmdir", path, -1);
    }

    private static void pathCall(MethodHandle handle, String call, Path path, int mode) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment cPath = arena.allocateFrom(path.toString());
            int rc = mode < 0 ? (int) handle.invokeExact(state, cPath) : (int) handle.invokeExact(state, cPath, mode);
            if (rc != 0) {
                throw new ErrnoException(errno(state), call, path.toString());
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(call, t);
        }
    }

    /** open + read to end (bounded) + close. */
    static byte[] readFile(Path path, int limit, String limitName) throws ErrnoException {
        int fd = open(path, O_RDONLY);
        try {
            return readAll(fd, path, limit, limitName);
        } finally {
            closeQuietly(fd, path);
        }
    }

    /** open + write + close; a failing close is reported, since configfs may commit on release. */
    static void writeFile(Path path, byte[] data) throws ErrnoException {
        int fd = open(path, O_WRONLY);
        try {
            writeAll(fd, path, data);
        } catch (ErrnoException e) {
            closeQuietly(fd, path);
            throw e;
        }
        close(fd, path);
    }

    static void closeQuietly(int fd, Path path) {
        try {
            close(fd, path);
        } catch (ErrnoException ignored) {
            // the read already succeeded or already failed with a better error
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static RuntimeException unexpected(String call, Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        if (t instanceof RuntimeException r) {
            return r;
        }
        return new IllegalStateException("native " + call + " failed unexpectedly", t);
    }
}
