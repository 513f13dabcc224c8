package dev.cvmfde.protocol.secret;

/** A key file that cannot be used; the message says what is wrong and never contains key bytes. */
public class KeyFileException extends Exception {
    public KeyFileException(String message) {
        super(message);
    }

    public KeyFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
