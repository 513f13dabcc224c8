package dev.cvmfde.client.broker;

import java.util.List;

/** What the broker answers one release request with. */
public sealed interface BrokerVerdict {

    /** Every check passed: {@code jws} is the release (JWE to the evidence-bound key, in the verifier's JWS). */
    record Released(String jws) implements BrokerVerdict {
    }

    /**
     * Refused: the guest is told only {@code stages}; {@code reasons} ({@code stage/check} with expected vs
     * actual) stay on the host, in the audit trail and the broker's log.
     */
    record Refused(List<String> stages, List<String> reasons) implements BrokerVerdict {
        public Refused {
            stages = List.copyOf(stages);
            reasons = List.copyOf(reasons);
        }
    }
}
