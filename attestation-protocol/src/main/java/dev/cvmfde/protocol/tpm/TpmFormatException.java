package dev.cvmfde.protocol.tpm;

/** A TPM structure that does not parse: what was read, where, and what was allowed. */
public final class TpmFormatException extends Exception {
    public TpmFormatException(String message) {
        super(message);
    }
}
