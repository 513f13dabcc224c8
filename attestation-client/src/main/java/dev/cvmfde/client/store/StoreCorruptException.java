package dev.cvmfde.client.store;

/** Something in the store does not parse or is not what the store wrote (names the file or row). */
public final class StoreCorruptException extends StoreException {
    public StoreCorruptException(String message) {
        super(message);
    }

    public StoreCorruptException(String message, Throwable cause) {
        super(message, cause);
    }
}
