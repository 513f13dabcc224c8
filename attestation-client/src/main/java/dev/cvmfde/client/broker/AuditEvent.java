package dev.cvmfde.client.broker;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One release or refusal as the broker reports it to the audit trail: when, to whom, for which
 * image, the verdict, the failed checks (stage and check names with expected vs actual, public
 * values only) and the SHA-256 of the evidence message. Never key material.
 */
public record AuditEvent(Instant time, String peer, String imageId, boolean released, List<String> failedChecks,
        byte[] evidenceDigest) {
    public AuditEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(imageId, "imageId");
        failedChecks = List.copyOf(failedChecks);
        evidenceDigest = evidenceDigest.clone();
        if (released != failedChecks.isEmpty()) {
            throw new IllegalArgumentException("a release has no failed checks and a refusal at least one");
        }
    }

    @Override
    public byte[] evidenceDigest() {
        return evidenceDigest.clone();
    }

    @Override
    public String toString() {
        return "AuditEvent[" + time + ", " + peer + ", " + imageId + ", " + (released ? "released" : "refused "
                + failedChecks) + ", evidence sha-256 " + HexFormat.of().formatHex(evidenceDigest) + "]";
    }
}
