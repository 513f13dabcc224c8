package dev.cvmfde.imagebuilder.disk;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Writes a disk image of a fixed virtual {@link #size()} strictly sequentially, from byte 0 to
 * the end. {@link #finish()} writes the format's metadata and forces the data to the device;
 * closing without finishing leaves an incomplete file that the caller must discard (see
 * {@link AtomicOutput}). Not thread-safe.
 */
public interface DiskImageWriter extends Closeable {

    /** Virtual size of the image being written. */
    long size();

    /** Number of virtual bytes written or skipped so far. */
    long position();

    /** Appends all remaining bytes of {@code src} at {@link #position()}. */
    void write(ByteBuffer src) throws IOException;

    /** Appends {@code length} zero bytes; formats that can keep holes keep them. */
    void writeZeros(long length) throws IOException;

    /** Fills the rest with zeros, writes metadata and fsyncs. Call once, before close. */
    void finish() throws IOException;
}
