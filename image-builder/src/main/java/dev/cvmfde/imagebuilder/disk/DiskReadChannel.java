package dev.cvmfde.imagebuilder.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * A range of a {@link VirtualDisk} read front to back as a channel, e.g. the plaintext a LUKS
 * container encrypts. Reads are synchronized (the encryptor's workers take turns) and end at
 * the range's end. Closing does not close the disk.
 */
public final class DiskReadChannel implements ReadableByteChannel {
    private final VirtualDisk disk;
    private final long end;
    private long position;
    private boolean open = true;

    public DiskReadChannel(VirtualDisk disk, long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > disk.size()) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + (offset + length)
                    + ") is outside the disk of " + disk.size() + " bytes");
        }
        this.disk = disk;
        this.position = offset;
        this.end = offset + length;
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        if (position >= end) {
            return -1;
        }
        int n = (int) Math.min(dst.remaining(), end - position);
        if (n == 0) {
            return 0;
        }
        ByteBuffer slice = dst.slice(dst.position(), n);
        disk.read(position, slice);
        dst.position(dst.position() + n);
        position += n;
        return n;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }
}
