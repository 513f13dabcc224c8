package dev.cvmfde.server.provider.tpm;

/** A TPM command that failed: which command, and the TPM's response code (or what was malformed). */
public final class TpmCommandException extends Exception {
    private final long responseCode;

    public TpmCommandException(String command, long responseCode) {
        super(command + ": the TPM answered response code 0x" + Long.toHexString(responseCode));
        this.responseCode = responseCode;
    }

    public TpmCommandException(String message) {
        super(message);
        this.responseCode = -1;
    }

    /** The TPM_RC, or -1 when the response itself was malformed. */
    public long responseCode() {
        return responseCode;
    }
}
