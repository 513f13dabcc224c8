package dev.cvmfde.client.store;

/**
 * Everything an image store can refuse or fail at, one type each, so a broker can map them to a
 * refusal (unknown image) or an error (store or root key unavailable) and always fails closed:
 * no key leaves when any of them is thrown. Messages name the image and the stage, never key
 * material.
 */
public abstract sealed class StoreException extends Exception
        permits UnknownImageException, ImageExistsException, InvalidBaselineException, StoreUnavailableException,
        RootKeyUnavailableException, StoreCorruptException {
    protected StoreException(String message) {
        super(message);
    }

    protected StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
