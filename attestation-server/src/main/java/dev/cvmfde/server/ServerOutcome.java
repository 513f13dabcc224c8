package dev.cvmfde.server;

import java.net.SocketAddress;
import java.util.Objects;

/** How a {@link RunningServer} ended. */
public sealed interface ServerOutcome {

    /** A release was accepted, the sink unlocked, and the verifier was sent {@code ack{unlocked: true}}. */
    record Unlocked(String detail, SocketAddress verifier) implements ServerOutcome {
        public Unlocked {
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(verifier, "verifier");
        }
    }

    /** {@link RunningServer#close()} was called before any key unlocked. */
    record Stopped() implements ServerOutcome {
    }
}
