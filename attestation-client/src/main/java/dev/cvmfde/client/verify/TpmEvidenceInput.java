package dev.cvmfde.client.verify;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything one verification of TPM evidence needs (docs/tpm-evidence.md): the evidence blob
 * ({@code token}), the TCG2 event log, the EK certificate (first of {@code certChain}), what the
 * quote's qualifying data must equal, the credential activation's outcome, the reference baseline,
 * the pinned EK root, the checks the operator allowed to be skipped, and the time certificates are
 * validated at. Arrays are copied in.
 */
public record TpmEvidenceInput(byte[] token, Optional<byte[]> eventLog, List<byte[]> certChain, Freshness freshness,
        CredentialActivation activation, Optional<ReferenceBaseline> baseline, TrustAnchor ekRoot,
        Set<Insecure> insecure, Instant validationTime) {

    public TpmEvidenceInput {
        token = Objects.requireNonNull(token, "token").clone();
        eventLog = Objects.requireNonNull(eventLog, "eventLog").map(byte[]::clone);
        certChain = Objects.requireNonNull(certChain, "certChain").stream().map(byte[]::clone).toList();
        Objects.requireNonNull(freshness, "freshness");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(ekRoot, "ekRoot");
        insecure = Set.copyOf(insecure);
        Objects.requireNonNull(validationTime, "validationTime");
    }

    @Override
    public byte[] token() {
        return token.clone();
    }

    @Override
    public Optional<byte[]> eventLog() {
        return eventLog.map(byte[]::clone);
    }

    @Override
    public List<byte[]> certChain() {
        return certChain.stream().map(byte[]::clone).toList();
    }

    @Override
    public String toString() {
        return "TpmEvidenceInput[token " + token.length + " B, event log " + eventLog.map(l -> l.length + " B")
                .orElse("none") + ", " + certChain.size() + " certificates, " + freshness + ", " + activation + ", "
                + baseline.map(Object::toString).orElse("no baseline") + ", " + ekRoot.describe()
                + (insecure.isEmpty() ? "" : ", INSECURE " + insecure) + "]";
    }
}
