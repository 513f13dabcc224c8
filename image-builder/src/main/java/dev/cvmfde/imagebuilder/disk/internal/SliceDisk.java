package dev.cvmfde.imagebuilder.disk.internal;

import dev.cvmfde.imagebuilder.disk.DiskExtent;
import dev.cvmfde.imagebuilder.disk.DiskFormat;
import dev.cvmfde.imagebuilder.disk.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/** A byte range of another disk (e.g. one partition) seen as a disk; closing it leaves the parent open. */
public final class SliceDisk implements VirtualDisk {

    private final VirtualDisk parent;
    private final long offset;
    private final long length;

    public SliceDisk(VirtualDisk parent, long offset, long length) {
        if (offset < 0 || length < 0 || offset > parent.size() || length > parent.size() - offset) {
            throw new IndexOutOfBoundsException("slice [" + offset + ", " + (offset + length)
                    + ") is outside the disk of " + parent.size() + " bytes");
        }
        this.parent = parent;
        this.offset = offset;
        this.length = length;
    }

    @Override
    public DiskFormat format() {
        return parent.format();
    }

    @Override
    public long size() {
        return length;
    }

    @Override
    public void read(long at, ByteBuffer dst) throws IOException {
        Bounds.checkRead(at, dst.remaining(), length);
        parent.read(offset + at, dst);
    }

    @Override
    public Optional<DiskExtent> nextDataExtent(long from) throws IOException {
        long start = Math.max(0, from);
        if (start >= length) {
            return Optional.empty();
        }
        return parent.nextDataExtent(offset + start)
                .filter(e -> e.offset() < offset + length)
                .map(e -> {
                    long s = e.offset() - offset;
                    return new DiskExtent(s, Math.min(length, e.end() - offset) - s);
                });
    }

    @Override
    public void close() {
        // the parent owns the file
    }
}
