package dev.cvmfde.imagebuilder.disk.internal;

import dev.cvmfde.imagebuilder.disk.CorruptImageException;
import dev.cvmfde.imagebuilder.disk.UnsupportedImageException;
import java.nio.ByteBuffer;

/** Validates the footer of a fixed VHD and returns its virtual size. */
public final class VhdFixedFooter {
    private VhdFixedFooter() {}

    public static long virtualSize(ByteBuffer footer, long fileLength)
            throws CorruptImageException, UnsupportedImageException {
        VhdFooter f = VhdFooter.parse(footer, "footer");
        long data = fileLength - VhdFooter.SIZE;
        if (f.currentSize() > data) {
            throw new CorruptImageException("vhd.fixed.size", "footer says " + f.currentSize()
                    + " bytes of data but the file holds only " + data + " before the footer (truncated?)");
        }
        // CHS rounding can make the geometry size exceed the stored data; those bytes read as zeros
        return f.virtualSize();
    }
}
