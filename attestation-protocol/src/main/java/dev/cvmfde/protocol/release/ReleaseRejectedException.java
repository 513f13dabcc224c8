package dev.cvmfde.protocol.release;

/**
 * A release the guest must not use. {@link #check()} names the failed check; the message says
 * what was expected and what came, and never contains key bytes.
 */
public final class ReleaseRejectedException extends Exception {
    private final ReleaseCheck check;

    public ReleaseRejectedException(ReleaseCheck check, String message) {
        super(check.name().toLowerCase(java.util.Locale.ROOT) + ": " + message, null, false, false);
        this.check = check;
    }

    public ReleaseCheck check() {
        return check;
    }
}
