package dev.cvmfde.client.store.internal;

import dev.cvmfde.client.store.AuditAnchor;
import dev.cvmfde.client.store.AuditEvent;
import dev.cvmfde.client.store.AuditRecord;
import dev.cvmfde.client.store.AuditTrail;
import dev.cvmfde.client.store.AuditVerification;
import dev.cvmfde.client.store.StoreCorruptException;
import dev.cvmfde.client.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The PostgreSQL store's trail: one row per record ({@code seq}, the canonical line). An append
 * takes a transaction-scoped advisory lock, reads the last row and inserts the next, in the
 * caller's transaction for a release; a crash rolls the whole transaction back, so there is never
 * a torn record. {@link #verify()} walks the rows in {@code seq} order.
 */
final class PostgresAuditTrail implements AuditTrail {
    /** Rows fetched per round trip while verifying. */
    static final int FETCH_ROWS = 1000;

    private final PostgresImageStore store;

    PostgresAuditTrail(PostgresImageStore store) {
        this.store = store;
    }

    @Override
    public AuditRecord append(AuditEvent event) throws StoreException {
        return store.tx(c -> appendIn(c, event));
    }

    AuditRecord appendIn(Connection c, AuditEvent event) throws SQLException, StoreException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + PostgresImageStore.AUDIT_LOCK + ")");
        }
        AuditRecord last = null;
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT seq, line FROM cvmfde_audit ORDER BY seq DESC LIMIT 1")) {
            if (r.next()) {
                try {
                    last = AuditLines.parse(r.getString(2));
                } catch (IllegalArgumentException e) {
                    throw new StoreCorruptException("the last audit row (seq " + r.getLong(1) + ") of " + store.describe()
                            + " is damaged (" + e.getMessage() + "); nothing is appended to a broken trail:"
                            + " run 'attestation-client audit verify'");
                }
            }
        }
        AuditRecord record = AuditLines.next(last, event);
        try (PreparedStatement p = c.prepareStatement("INSERT INTO cvmfde_audit (seq, line) VALUES (?, ?)")) {
            p.setLong(1, record.seq());
            p.setString(2, AuditLines.line(record));
            p.executeUpdate();
        }
        return record;
    }

    @Override
    public AuditVerification verify(AuditAnchor anchor) throws StoreException {
        return store.tx(c -> {
            AuditLines.Chain chain = new AuditLines.Chain(anchor);
            try (Statement s = c.createStatement()) {
                s.setFetchSize(FETCH_ROWS);
                try (ResultSet r = s.executeQuery("SELECT seq, line FROM cvmfde_audit ORDER BY seq")) {
                    while (r.next()) {
                        if (!chain.accept(r.getString(2))) {
                            return new AuditVerification.Broken(chain.verified(), chain.lines(),
                                    "row seq " + r.getLong(1) + ": " + chain.broken());
                        }
                    }
                }
            }
            if (chain.anchorMissing() != null) {
                return new AuditVerification.Broken(chain.verified(), anchor.seq(), chain.anchorMissing());
            }
            return new AuditVerification.Intact(chain.verified(), chain.headHash());
        });
    }

    @Override
    public List<AuditRecord> tail(int max) throws StoreException {
        return store.tx(c -> {
            List<AuditRecord> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT seq, line FROM cvmfde_audit ORDER BY seq DESC LIMIT ?")) {
                p.setInt(1, max);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        try {
                            out.add(AuditLines.parse(r.getString(2)));
                        } catch (IllegalArgumentException e) {
                            throw new StoreCorruptException("audit row seq " + r.getLong(1) + ": " + e.getMessage());
                        }
                    }
                }
            }
            Collections.reverse(out);
            return List.copyOf(out);
        });
    }
}
