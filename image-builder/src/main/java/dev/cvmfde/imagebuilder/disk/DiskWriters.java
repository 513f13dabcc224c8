package dev.cvmfde.imagebuilder.disk;

import dev.cvmfde.imagebuilder.disk.internal.Qcow2Writer;
import dev.cvmfde.imagebuilder.disk.internal.RawWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Factories for sequential image writers. {@code path} must already exist (normally
 * {@link AtomicOutput#tempFile()}); it is truncated and written from the start.
 */
public final class DiskWriters {

    /** Largest qcow2 image written (64 TiB). */
    public static final long MAX_QCOW2_SIZE = Qcow2Writer.MAX_SIZE;

    private DiskWriters() {}

    /** A qcow2 v3 writer (64 KiB clusters, all-zero clusters left unallocated); size a multiple of 512. */
    public static DiskImageWriter qcow2(Path path, long size) throws IOException {
        return new Qcow2Writer(path, size);
    }

    /** A raw writer that leaves zero runs as holes where the file system allows. */
    public static DiskImageWriter raw(Path path, long size) throws IOException {
        return new RawWriter(path, size);
    }

    /** The writer for {@code format}: {@link DiskFormat#QCOW2} or {@link DiskFormat#RAW}. */
    public static DiskImageWriter create(DiskFormat format, Path path, long size) throws IOException {
        return switch (format) {
            case QCOW2 -> qcow2(path, size);
            case RAW -> raw(path, size);
            case VHD_FIXED, VHD_DYNAMIC -> throw new IllegalArgumentException(
                    "writing " + format + " is not supported; write qcow2 or raw");
        };
    }
}
