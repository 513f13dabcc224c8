package dev.cvmfde.client.store;

import dev.cvmfde.client.store.internal.AuditLines;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One release or refusal as the broker reports it to the audit trail: when, who asked (the
 * peer's address as seen), for which image (as the guest named it: an unknown or malformed name
 * is recorded as given: non-printable characters become {@code ?} and more than
 * {@value #MAX_FIELD_CHARS} characters are cut), the verdict, the failed checks ({@code stage/check} names) and
 * the SHA-256 of the evidence bytes. Never key material: there is no field that could hold it.
 */
public record AuditEvent(Instant time, String peer, String imageId, Verdict verdict, List<String> failedChecks,
        String evidenceSha256) {
    /** Longest peer or image-id text kept (longer is cut, with its length noted). */
    public static final int MAX_FIELD_CHARS = 256;
    /** Most failed checks kept in one record. */
    public static final int MAX_FAILED_CHECKS = 64;

    public AuditEvent {
        Objects.requireNonNull(time, "time");
        peer = bounded(Objects.requireNonNull(peer, "peer"));
        imageId = bounded(Objects.requireNonNull(imageId, "imageId"));
        Objects.requireNonNull(verdict, "verdict");
        failedChecks = failedChecks.stream().limit(MAX_FAILED_CHECKS).map(AuditEvent::bounded).toList();
        Objects.requireNonNull(evidenceSha256, "evidenceSha256");
        if (!evidenceSha256.isEmpty() && !evidenceSha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("evidenceSha256 must be 64 lower-case hex digits or empty (no evidence)");
        }
    }

    /** An event for {@code evidence} (its SHA-256 is recorded; null when no evidence came). */
    public static AuditEvent of(Instant time, String peer, String imageId, Verdict verdict, List<String> failedChecks,
            byte[] evidence) {
        return new AuditEvent(time, peer, imageId, verdict, failedChecks,
                evidence == null ? "" : AuditLines.sha256Hex(evidence));
    }

    private static String bounded(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        // idempotent (a record read back re-encodes to the same bytes): the result is printable and <= MAX_FIELD_CHARS
        return printable.length() <= MAX_FIELD_CHARS ? printable
                : printable.substring(0, MAX_FIELD_CHARS - 24) + "...(" + s.length() + " chars)";
    }
}
