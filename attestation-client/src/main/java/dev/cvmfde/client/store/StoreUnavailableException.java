package dev.cvmfde.client.store;

/** The store cannot be read or written (directory missing or not writable, database down, I/O error). */
public final class StoreUnavailableException extends StoreException {
    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
