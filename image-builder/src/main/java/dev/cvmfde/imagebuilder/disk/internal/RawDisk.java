package dev.cvmfde.imagebuilder.disk.internal;

import dev.cvmfde.imagebuilder.disk.DiskExtent;
import dev.cvmfde.imagebuilder.disk.DiskFormat;
import dev.cvmfde.imagebuilder.disk.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A raw image, or the data area of a fixed VHD: the virtual disk is the file's first
 * {@code size} bytes. Data extents come from the file's holes where Linux can tell
 * ({@link HoleMap}); elsewhere the whole data area is one extent.
 */
public final class RawDisk implements VirtualDisk {

    private final FileRegion file;
    private final long size;
    private final long dataEnd;
    private final DiskFormat format;

    /** {@code dataEnd}: file offset where the disk data stops (the footer of a fixed VHD starts). */
    private final HoleMap holes;

    public RawDisk(FileChannel channel, Path path, long size, long dataEnd, DiskFormat format) throws IOException {
        this.file = new FileRegion(channel);
        this.size = size;
        this.dataEnd = Math.min(dataEnd, file.length());
        this.format = format;
        this.holes = HoleMap.open(path, file.length());
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
        long start = Math.max(0, from);
        long end = Math.min(size, dataEnd);
        if (start >= end) {
            return Optional.empty();
        }
        if (holes == null) {
            return Optional.of(new DiskExtent(start, end - start));
        }
        long data = holes.nextData(start);
        if (data < 0 || data >= end) {
            return Optional.empty();
        }
        long hole = Math.max(data + 1, Math.min(end, holes.nextHole(data)));
        return Optional.of(new DiskExtent(data, hole - data));
    }

    @Override
    public void close() throws IOException {
        if (holes != null) {
            holes.close();
        }
        file.channel().close();
    }
}
