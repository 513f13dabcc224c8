package dev.cvmfde.imagebuilder.disk;

/** The image is damaged, truncated, or its metadata exceeds a named limit. */
public final class CorruptImageException extends DiskFormatException {
    public CorruptImageException(String check, String message) {
        super(check, message);
    }
}
