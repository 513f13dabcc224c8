package dev.cvmfde.client.store;

import java.util.List;

/**
 * The store's hash-chained record of every release and refusal. Appends are durable when
 * {@link #append} returns (directory store: one JSON line, fsynced; PostgreSQL: one row,
 * committed). Releases are recorded by {@link ImageStore#release} in the same step as the key
 * leaves; everything else that ends an exchange (a refusal) is appended here.
 */
public interface AuditTrail {
    /** The {@code prev} of the first record: 64 zeros. */
    String GENESIS_HASH = "0".repeat(64);

    /** Appends one record chained to the last; returns it with its seq and hashes. */
    AuditRecord append(AuditEvent event) throws StoreException;

    /** Checks the whole chain (see {@link AuditVerification}). */
    default AuditVerification verify() throws StoreException {
        return verify(AuditAnchor.GENESIS);
    }

    /**
     * Checks the whole chain and that record {@code anchor.seq()} is still there with exactly the
     * anchored hash (kept elsewhere from an earlier verify): otherwise {@link AuditVerification.Broken}
     * at that record, its reason starting with {@code "anchor "}, even when the chain alone is
     * intact (a tail cut off, or rewritten and re-chained, after the anchor). A chain broken before
     * the anchored record is reported there, as without an anchor.
     */
    AuditVerification verify(AuditAnchor anchor) throws StoreException;

    /** The last {@code max} records, oldest first (for {@code audit show}/tests), without checking the chain. */
    List<AuditRecord> tail(int max) throws StoreException;
}
