package dev.cvmfde.imagebuilder.disk;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A read-only virtual disk: a byte array of {@link #size()} bytes, whatever the container
 * format. Reads are positional and never modify the underlying file; bytes the format does not
 * store (holes, zero clusters, unallocated blocks) read as zeros. Not thread-safe.
 */
public interface VirtualDisk extends Closeable {

    /** The container format this disk was opened as. */
    DiskFormat format();

    /** Virtual size in bytes (what the guest sees). */
    long size();

    /**
     * Fills {@code dst} from its position to its limit with the disk bytes starting at
     * {@code offset}. The whole range must lie within {@code [0, size())}.
     *
     * @throws DiskFormatException if the image's metadata is corrupt or unsupported at this range
     * @throws IOException         on an I/O error of the underlying file
     */
    void read(long offset, ByteBuffer dst) throws IOException;

    /**
     * The first extent at or after {@code from} that may hold non-zero data; bytes outside the
     * returned extents are known to be zero, so copies can skip them. Extents are coalesced and
     * clipped to {@code [from, size())}; empty once no data follows.
     */
    Optional<DiskExtent> nextDataExtent(long from) throws IOException;
}
