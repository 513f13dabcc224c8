package dev.cvmfde.imagebuilder.disk;

/**
 * The image is valid but uses a feature this module refuses (backing file, encryption,
 * differencing VHD, zstd compression, ...). The message says how to convert it first.
 */
public final class UnsupportedImageException extends DiskFormatException {
    public UnsupportedImageException(String check, String message) {
        super(check, message);
    }
}
