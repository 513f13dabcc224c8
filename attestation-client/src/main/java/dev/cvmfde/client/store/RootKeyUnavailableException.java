package dev.cvmfde.client.store;

/**
 * The root key cannot wrap or unwrap: its file is missing or readable by others, the PKCS#11
 * token is absent or refuses, or it is not the key the store's keys were wrapped with. Releases
 * fail closed.
 */
public final class RootKeyUnavailableException extends StoreException {
    public RootKeyUnavailableException(String message) {
        super(message);
    }

    public RootKeyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
