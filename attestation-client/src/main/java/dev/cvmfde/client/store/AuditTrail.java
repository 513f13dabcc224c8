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
    AuditVerification verify() throws StoreException;

    /** The last {@code max} records, oldest first (for {@code audit show}/tests), without checking the chain. */
    List<AuditRecord> tail(int max) throws StoreException;
}
