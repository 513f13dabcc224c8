package dev.cvmfde.client.store;

/** A baseline offered to the store whose signature does not verify or whose hash.json does not parse. */
public final class InvalidBaselineException extends StoreException {
    public InvalidBaselineException(String message) {
        super(message);
    }

    public InvalidBaselineException(String message, Throwable cause) {
        super(message, cause);
    }
}
