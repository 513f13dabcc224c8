package dev.cvmfde.client.verify;

/**
 * A trust-anchor file could not be used: not one of the accepted forms, a private key, an
 * unsupported key type, or a chain that does not end at a root. The message names the file,
 * what was found and what is allowed; it never holds key material.
 */
public final class TrustAnchorException extends Exception {
    public TrustAnchorException(String message) {
        super(message);
    }

    public TrustAnchorException(String message, Throwable cause) {
        super(message, cause);
    }
}
