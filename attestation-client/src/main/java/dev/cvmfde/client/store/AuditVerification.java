package dev.cvmfde.client.store;

/**
 * The result of {@link AuditTrail#verify()}. {@link Intact}: every record chains to the one
 * before. {@link TornTail}: the same, except that the last line was cut short by a crash (it was
 * never acknowledged, so nothing that happened is missing); the records before it verify.
 * {@link Broken}: the first record (1-based line or row, and its {@code seq} if readable) that
 * does not chain, and why. The head hash of an intact chain is what an operator writes down
 * elsewhere: the chain alone cannot show that every record after some point was rewritten.
 */
public sealed interface AuditVerification {
    /** Records that verified. */
    long verifiedRecords();

    record Intact(long verifiedRecords, String headHash) implements AuditVerification {
    }

    record TornTail(long verifiedRecords, String headHash, long line, String detail) implements AuditVerification {
    }

    record Broken(long verifiedRecords, long line, String reason) implements AuditVerification {
    }
}
