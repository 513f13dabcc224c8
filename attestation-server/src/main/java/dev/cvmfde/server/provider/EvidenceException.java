package dev.cvmfde.server.provider;

import java.util.Objects;

/**
 * Evidence could not be collected. {@link #kind()} says what class of failure it was (so callers
 * and tests can branch on it); the message names the provider, the step that failed, what was
 * expected, what came, and what to do about it. Messages never contain challenge or token bytes.
 */
public final class EvidenceException extends Exception {

    /** What went wrong, independent of the provider. */
    public enum Kind {
        /** The caller passed a challenge that is not exactly {@link EvidenceProvider#CHALLENGE_BYTES} bytes. */
        INVALID_CHALLENGE,
        /** {@link EvidenceProviders#byName} was given a name it does not know. */
        UNKNOWN_PROVIDER,
        /** This machine lacks the interface: no configfs-tsm, no TSM provider registered, no /dev/tsi. */
        UNAVAILABLE,
        /** The kernel refused access (EACCES/EPERM): the provider has to run as root. */
        PERMISSION_DENIED,
        /** The kernel said busy (EBUSY/EAGAIN), or another writer kept changing the report past our retries. */
        BUSY,
        /** The kernel or the firmware refused the request (EINVAL, EIO, EFAULT). */
        REJECTED,
        /** An output exceeded the kernel's limit (EFBIG) or one of our named limits. */
        TOO_LARGE,
        /** An output broke the interface's contract (empty report, size out of range, bad ACPI table). */
        MALFORMED,
        /** Any other I/O failure. */
        IO
    }

    private final Kind kind;

    public EvidenceException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public EvidenceException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }
}
