package dev.cvmfde.protocol.release;

/** A key file that cannot be read or written; the message names the file and the problem, never key bytes. */
public final class KeyMaterialException extends Exception {
    public KeyMaterialException(String message) {
        super(message);
    }

    public KeyMaterialException(String message, Throwable cause) {
        super(message, cause);
    }
}
