package dev.cvmfde.imagebuilder.disk;

/** A range {@code [offset, offset + length)} of a virtual disk that may hold non-zero data. */
public record DiskExtent(long offset, long length) {
    public DiskExtent {
        if (offset < 0 || length <= 0 || offset + length < offset) {
            throw new IllegalArgumentException(
                    "extent must have offset >= 0 and length > 0, got offset " + offset + " length " + length);
        }
    }

    /** The first byte after the extent. */
    public long end() {
        return offset + length;
    }
}
