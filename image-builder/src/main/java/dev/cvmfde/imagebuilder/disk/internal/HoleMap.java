package dev.cvmfde.imagebuilder.disk.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Asks Linux where a file's data and holes are ({@code lseek} with {@code SEEK_DATA} /
 * {@code SEEK_HOLE}, through the FFM API; Java has no API for it), so sparse raw inputs are not
 * read hole by hole. Where that is unavailable (other OS, file system without support, native
 * access denied) {@link #open} returns null and callers treat the whole file as data.
 */
final class HoleMap implements AutoCloseable {

    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final MethodHandle OPEN;
    private static final MethodHandle LSEEK;
    private static final MethodHandle CLOSE;

    static {
        MethodHandle open = null;
        MethodHandle lseek = null;
        MethodHandle close = null;
        try {
            if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                open = linker.downcallHandle(libc.find("open").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2));
                lseek = linker.downcallHandle(libc.find("lseek").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
                close = linker.downcallHandle(libc.find("close").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            }
        } catch (RuntimeException | LinkageError e) {
            open = null; // native access unavailable: fall back to reading the whole file
        }
        OPEN = open;
        LSEEK = lseek;
        CLOSE = close;
    }

    private final int fd;
    private final long length;

    private HoleMap(int fd, long length) {
        this.fd = fd;
        this.length = length;
    }

    /** A hole map of {@code path} (opened read-only), or null when holes cannot be queried. */
    static HoleMap open(Path path, long length) {
        if (OPEN == null) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom(path.toString()), O_RDONLY_CLOEXEC);
            if (fd < 0) {
                return null;
            }
            HoleMap map = new HoleMap(fd, length);
            if (length > 0 && map.seek(0, SEEK_HOLE) < 0) {
                map.close();
                return null; // the file system does not answer SEEK_HOLE
            }
            return map;
        } catch (Throwable e) {
            return null;
        }
    }

    /** First data offset at or after {@code from}, or -1 when only a hole follows. */
    long nextData(long from) {
        return from >= length ? -1 : seek(from, SEEK_DATA);
    }

    /** First hole offset at or after {@code from} (the end of the file counts as a hole). */
    long nextHole(long from) {
        long h = seek(from, SEEK_HOLE);
        return h < 0 ? length : Math.min(h, length);
    }

    private long seek(long offset, int whence) {
        try {
            return (long) LSEEK.invokeExact(fd, offset, whence);
        } catch (Throwable e) {
            return -1;
        }
    }

    @Override
    public void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable e) {
            // closing a read-only descriptor cannot lose data
        }
    }
}
