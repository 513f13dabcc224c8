package dev.cvmfde.client.release;

import java.util.Objects;

/**
 * What the guest said after a release: its ack, which nothing authenticates (anyone on the path
 * can forge or drop it). It informs the operator; it proves nothing, and the release decision never
 * rests on it. The proof that the right guest got the key is the affirming appraisal the key was
 * sealed to.
 */
public sealed interface GuestReport {

    /** The guest's own words (the ack's detail, or why there was no ack). */
    String detail();

    /** The guest reports that the key opened its volume. */
    record ReportsUnlocked(String detail) implements GuestReport {
        public ReportsUnlocked {
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** The guest reports that it did not unlock (wrong key, release rejected, cryptsetup failed …). */
    record ReportsUnlockFailed(String detail) implements GuestReport {
        public ReportsUnlockFailed {
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** No ack came (the connection closed or timed out after the release was sent); {@code detail} says how. */
    record NoReport(String detail) implements GuestReport {
        public NoReport {
            Objects.requireNonNull(detail, "detail");
        }
    }
}
