package dev.cvmfde.client.store;

import java.util.Objects;

/**
 * An {@link AuditEvent} as it stands in the trail: its sequence number (1, 2, …), the hash of the
 * record before it ({@link AuditTrail#GENESIS_HASH} for the first) and its own hash, SHA-256 over
 * its canonical JSON without the {@code hash} member (which includes {@code seq} and {@code prev}).
 * Editing, deleting or reordering a record breaks the chain at that record.
 */
public record AuditRecord(long seq, AuditEvent event, String previousHash, String hash) {
    public AuditRecord {
        if (seq < 1) {
            throw new IllegalArgumentException("seq starts at 1; got " + seq);
        }
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(previousHash, "previousHash");
        Objects.requireNonNull(hash, "hash");
    }
}
