package dev.cvmfde.client.verify;

/**
 * The verifier itself could not work (a malformed operator baseline after its signature
 * checked, an internal error) — not a verdict on the evidence, which is always an
 * {@link Appraisal}. Callers map it to exit code 1, never to "refused" or "affirming".
 */
public final class VerifierException extends Exception {
    public VerifierException(String message, Throwable cause) {
        super(message, cause);
    }

    public VerifierException(String message) {
        super(message);
    }
}
