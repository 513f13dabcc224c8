package dev.cvmfde.protocol.secret;

import java.nio.file.Path;

/**
 * A file holding secret key material is readable by its group or by others (or its mode could
 * not be checked). Like ssh with a private key, the key is not used: the message names the file,
 * its mode and the fix ({@code chmod 600}).
 */
public final class KeyFileModeException extends KeyFileException {
    private final Path file;
    private final String mode;

    KeyFileModeException(Path file, String mode, String message) {
        super(message);
        this.file = file;
        this.mode = mode;
    }

    /** The key file that was refused. */
    public Path file() {
        return file;
    }

    /** Its mode as {@code 0644 (rw-r--r--)}, or {@code unknown} when it could not be read. */
    public String mode() {
        return mode;
    }
}
