package dev.cvmfde.imagebuilder.disk.internal;

import dev.cvmfde.imagebuilder.disk.DiskExtent;
import dev.cvmfde.imagebuilder.disk.DiskFormat;
import dev.cvmfde.imagebuilder.disk.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;

/**
 * A raw image, or the data area of a fixed VHD: the virtual disk is the file's first
 * {@code size} bytes. Java cannot ask for holes (no SEEK_DATA), so the whole disk is one extent.
 */
public final class RawDisk implements VirtualDisk {

    private final FileRegion file;
    private final long size;
    private final long dataEnd;
    private final DiskFormat format;

    /** {@code dataEnd}: file offset where the disk data stops (the footer of a fixed VHD starts). */
    public RawDisk(FileChannel channel, long size, long dataEnd, DiskFormat format) throws IOException {
        this.file = new FileRegion(channel);
        this.size = size;
        this.dataEnd = Math.min(dataEnd, file.length());
        this.format = format;
    }

    @Override
    public DiskFormat format() {
        return format;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        Bounds.checkRead(offset, dst.remaining(), size);
        long avail = Math.max(0, dataEnd - offset);
        if (avail >= dst.remaining()) {
            file.readFully(offset, dst, "raw.read");
            return;
        }
        int keep = dst.limit();
        dst.limit(dst.position() + (int) avail);
        file.readFully(offset, dst, "raw.read");
        dst.limit(keep);
        ZeroFill.fill(dst);
    }

    @Override
    public Optional<DiskExtent> nextDataExtent(long from) {
        return from < size ? Optional.of(new DiskExtent(Math.max(0, from), size - Math.max(0, from))) : Optional.empty();
    }

    @Override
    public void close() throws IOException {
        file.channel().close();
    }
}
