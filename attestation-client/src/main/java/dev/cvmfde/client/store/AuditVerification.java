package dev.cvmfde.client.store;

/**
 * The result of {@link AuditTrail#verify(AuditAnchor)}. {@link Intact}: every record chains to the
 * one before (and the anchor holds). {@link TornTail}: the same, except that the last line was cut
 * short by a crash (it was never acknowledged, so nothing that happened is missing); the records
 * before it verify. {@link Broken}: the first record (1-based line or row, and its {@code seq} if
 * readable) that does not chain, or the anchored record that is missing or differs, and why. The
 * {@link #head} of an intact chain is what an operator keeps elsewhere and passes back as an
 * anchor: the chain alone cannot show that every record after some point was cut off or rewritten.
 */
public sealed interface AuditVerification {
    /** Records that verified. */
    long verifiedRecords();

    record Intact(long verifiedRecords, String headHash) implements AuditVerification {
        /** The last record and its hash ({@code 0:} genesis for an empty trail): an anchor for a later verify. */
        public AuditAnchor head() {
            return new AuditAnchor(verifiedRecords, headHash);
        }
    }

    record TornTail(long verifiedRecords, String headHash, long line, String detail) implements AuditVerification {
        /** The last complete record and its hash: an anchor for a later verify. */
        public AuditAnchor head() {
            return new AuditAnchor(verifiedRecords, headHash);
        }
    }

    record Broken(long verifiedRecords, long line, String reason) implements AuditVerification {
    }
}
