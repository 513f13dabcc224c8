package dev.cvmfde.server;

import java.util.Objects;

/**
 * What a {@link KeySink} made of a released key. The detail goes to the verifier in the ack
 * (at most 512 characters are sent, control characters replaced) and to the log, so it must
 * never contain key bytes.
 */
public sealed interface UnlockOutcome {

    String detail();

    /** The key worked (the volume is open, or the key was handed on): the server stops. */
    record Unlocked(String detail) implements UnlockOutcome {
        public Unlocked {
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** The key did not work: the verifier is told, and the server keeps waiting for another release. */
    record Failed(String detail) implements UnlockOutcome {
        public Failed {
            Objects.requireNonNull(detail, "detail");
        }
    }

    static UnlockOutcome unlocked(String detail) {
        return new Unlocked(detail);
    }

    static UnlockOutcome failed(String detail) {
        return new Failed(detail);
    }
}
