package dev.cvmfde.protocol.cose;

/**
 * A COSE_Sign1 structure (or a CBOR item inside one) is not well formed or breaks a named
 * limit. The message names what was expected and what came; it never holds key material.
 */
public final class CoseFormatException extends Exception {
    public CoseFormatException(String message) {
        super(message);
    }
}
