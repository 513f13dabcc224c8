package dev.cvmfde.imagebuilder.disk.internal;

/** Argument checks shared by the disk readers. */
final class Bounds {
    private Bounds() {}

    static void checkRead(long offset, int length, long size) {
        if (offset < 0 || offset > size || length > size - offset) {
            throw new IndexOutOfBoundsException("read of " + length + " bytes at " + offset
                    + " is outside the virtual disk of " + size + " bytes");
        }
    }
}
