package dev.cvmfde.imagebuilder.initramfs;

import java.io.IOException;

/**
 * An initramfs the overlay cannot be appended to safely: unreadable (truncated, a cpio
 * header that is not newc, a compression we do not read, implausibly large), or a base whose
 * names clash with the overlay's (a file where the overlay needs a directory, a dracut hook
 * directory that is missing). Names the file and what was found.
 */
public final class InitramfsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public InitramfsFormatException(String initramfs, String message) {
        super("initramfs " + initramfs + ": " + message);
    }
}
