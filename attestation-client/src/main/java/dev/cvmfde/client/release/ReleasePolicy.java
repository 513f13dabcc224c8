package dev.cvmfde.client.release;

import dev.cvmfde.client.verify.EvidenceInput;
import dev.cvmfde.client.verify.ReferenceBaseline;
import dev.cvmfde.client.verify.TrustAnchor;
import dev.cvmfde.protocol.wire.Evidence;
import java.util.Objects;
import java.util.Optional;

/**
 * What the host requires of a guest's evidence before releasing: the trust anchor, the reference
 * baseline (hash.json) and RIM if given, whether an event log is required (it always is with a
 * baseline), and whether the simulated TEE is acceptable. The freshness check is not optional:
 * every appraisal expects this session's nonce bound to the guest's ephemeral key.
 */
public record ReleasePolicy(TrustAnchor trustAnchor, Optional<ReferenceBaseline> baseline, Optional<byte[]> referenceRim,
        boolean eventLogRequired, boolean allowSimulated) {

    public ReleasePolicy {
        Objects.requireNonNull(trustAnchor, "trustAnchor");
        Objects.requireNonNull(baseline, "baseline");
        referenceRim = Objects.requireNonNull(referenceRim, "referenceRim").map(byte[]::clone);
    }

    @Override
    public Optional<byte[]> referenceRim() {
        return referenceRim.map(byte[]::clone);
    }

    /** True when evidence without an event log must be refused. */
    public boolean requiresEventLog() {
        return eventLogRequired || baseline.isPresent();
    }

    /**
     * The verifier's input for {@code evidence} answering {@code nonce}. The baseline is passed even
     * when the evidence holds no event log: the verifier then refuses at stage {@code event-log}.
     */
    public EvidenceInput input(byte[] nonce, Evidence evidence) {
        EvidenceInput.Builder b = EvidenceInput.builder(evidence.token(), trustAnchor)
                .expectedChallenge(nonce, evidence.ephemeralKey())
                .allowSimulated(allowSimulated);
        referenceRim.ifPresent(b::referenceRim);
        evidence.eventLog().ifPresent(b::eventLog);
        baseline.ifPresent(b::baseline);
        return b.build();
    }

    @Override
    public String toString() {
        return "ReleasePolicy[" + trustAnchor.describe() + ", " + baseline.map(Object::toString).orElse("no baseline")
                + ", RIM " + (referenceRim.isPresent() ? "pinned" : "not pinned")
                + (requiresEventLog() ? ", event log required" : "") + (allowSimulated ? ", simulated allowed" : "") + "]";
    }
}
