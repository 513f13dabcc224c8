package dev.cvmfde.imagebuilder.disk;

import java.io.IOException;

/**
 * A disk image that cannot be read: either damaged ({@link CorruptImageException}) or using a
 * feature this module deliberately refuses ({@link UnsupportedImageException}). {@link #check()}
 * names the check that failed (e.g. {@code "qcow2.l2-entry.bounds"}); the message says what was
 * expected, what came, and how to fix it where there is a fix.
 */
public abstract sealed class DiskFormatException extends IOException
        permits CorruptImageException, UnsupportedImageException {

    private final String check;

    DiskFormatException(String check, String message) {
        super(check + ": " + message);
        this.check = check;
    }

    /** The named check that failed, stable for scripts and tests. */
    public String check() {
        return check;
    }
}
