package dev.cvmfde.client.release;

import dev.cvmfde.client.verify.CredentialActivation;
import dev.cvmfde.client.verify.EvidenceInput;
import dev.cvmfde.client.verify.Freshness;
import dev.cvmfde.client.verify.TpmEvidenceInput;
import dev.cvmfde.client.verify.Insecure;
import dev.cvmfde.client.verify.ReferenceBaseline;
import dev.cvmfde.client.verify.TrustAnchor;
import dev.cvmfde.protocol.wire.Evidence;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the host requires of a guest's evidence before releasing: the trust anchor and whether it
 * is the simulated TEE's (the operator's choice, never the token's), the reference baseline
 * (hash.json) and RIM, and the checks the operator allows to be skipped ({@code insecure}). It
 * fails closed: without a baseline, a RIM (here or in the baseline), a baseline signature, a
 * {@code cmdline} or an event log the evidence is refused unless the matching {@link Insecure}
 * is in {@code insecure}. The freshness check is not optional: every appraisal expects this
 * session's nonce bound to the guest's ephemeral key.
 */
public record ReleasePolicy(TrustAnchor trustAnchor, boolean simulatedAnchor, Optional<ReferenceBaseline> baseline,
        Optional<byte[]> referenceRim, Set<Insecure> insecure) {

    public ReleasePolicy {
        Objects.requireNonNull(trustAnchor, "trustAnchor");
        Objects.requireNonNull(baseline, "baseline");
        referenceRim = Objects.requireNonNull(referenceRim, "referenceRim").map(byte[]::clone);
        insecure = Set.copyOf(insecure);
        if (insecure.contains(Insecure.NO_FRESHNESS)) {
            throw new IllegalArgumentException("a release always checks freshness; " + Insecure.NO_FRESHNESS.option()
                    + " is for offline 'verify' only");
        }
    }

    @Override
    public Optional<byte[]> referenceRim() {
        return referenceRim.map(byte[]::clone);
    }

    /** True when evidence without an event log must be refused (always with a baseline). */
    public boolean requiresEventLog() {
        return baseline.isPresent() || !insecure.contains(Insecure.NO_EVENT_LOG);
    }

    /**
     * The verifier's input for {@code evidence} answering {@code nonce}. The baseline is passed even
     * when the evidence holds no event log: the verifier then refuses at stage {@code event-log}.
     */
    public EvidenceInput input(byte[] nonce, Evidence evidence) {
        EvidenceInput.Builder b = EvidenceInput.builder(evidence.token(), trustAnchor)
                .expectedChallenge(nonce, evidence.ephemeralKey())
                .simulatedAnchor(simulatedAnchor)
                .insecure(insecure);
        referenceRim.ifPresent(b::referenceRim);
        evidence.eventLog().ifPresent(b::eventLog);
        baseline.ifPresent(b::baseline);
        return b.build();
    }

    /** True when the anchor is a TPM EK root: the guest's evidence must be TPM evidence (docs/tpm-evidence.md). */
    public boolean tpm() {
        return trustAnchor instanceof TrustAnchor.TpmEkRoot;
    }

    /** The verifier's input for TPM {@code evidence} answering {@code nonce}, with the credential activation's outcome. */
    public TpmEvidenceInput tpmInput(byte[] nonce, Evidence evidence, CredentialActivation activation) {
        return new TpmEvidenceInput(evidence.token(), evidence.eventLog(), evidence.certChain(),
                Freshness.boundTo(nonce, evidence.ephemeralKey()), activation, baseline, trustAnchor, insecure,
                Instant.now());
    }

    @Override
    public String toString() {
        return "ReleasePolicy[" + (simulatedAnchor ? "SIMULATED anchor " : "") + trustAnchor.describe() + ", "
                + baseline.map(Object::toString).orElse("no baseline")
                + ", RIM " + (referenceRim.isPresent() ? "pinned" : "from the baseline or none")
                + (requiresEventLog() ? ", event log required" : "")
                + (insecure.isEmpty() ? "" : ", INSECURE " + insecure.stream().map(Insecure::option).sorted().toList())
                + "]";
    }
}
