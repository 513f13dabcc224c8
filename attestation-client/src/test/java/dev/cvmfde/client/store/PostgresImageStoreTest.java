package dev.cvmfde.client.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract on PostgreSQL (a real server started by the test, see {@link PostgresCluster}),
 * plus the database going away under a running store.
 */
class PostgresImageStoreTest extends ImageStoreContract {
    static PostgresCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = PostgresCluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    String newSpec() throws Exception {
        return cluster.newDatabase();
    }

    @Override
    byte[] rawContents(String spec) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (Connection c = PostgresCluster.connect(spec); Statement s = c.createStatement()) {
            for (String table : List.of("cvmfde_store_meta", "cvmfde_images", "cvmfde_audit")) {
                try (ResultSet r = s.executeQuery("SELECT * FROM " + table)) {
                    ResultSetMetaData m = r.getMetaData();
                    while (r.next()) {
                        for (int i = 1; i <= m.getColumnCount(); i++) {
                            byte[] v = m.getColumnType(i) == java.sql.Types.BINARY ? r.getBytes(i)
                                    : String.valueOf(r.getString(i)).getBytes(StandardCharsets.UTF_8);
                            all.write(v);
                        }
                    }
                }
            }
        }
        return all.toByteArray();
    }

    @Override
    List<String> auditLines(String spec) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = PostgresCluster.connect(spec); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT line FROM cvmfde_audit ORDER BY seq")) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    @Override
    void writeAuditLines(String spec, List<String> lines) throws Exception {
        try (Connection c = PostgresCluster.connect(spec)) {
            try (Statement s = c.createStatement()) {
                s.execute("DELETE FROM cvmfde_audit");
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO cvmfde_audit (seq, line) VALUES (?, ?)")) {
                for (int i = 0; i < lines.size(); i++) {
                    p.setLong(1, i + 1);
                    p.setString(2, lines.get(i));
                    p.executeUpdate();
                }
            }
        }
    }

    @Test
    void databaseDown_releaseFailsClosedWithStoreUnavailable_thenRecovers() throws Exception {
        store.add(WEB, fx.baseline("kernel-1"), StoreFixture.secret(StoreFixture.randomKey()));
        cluster.stopImmediately();
        try {
            assertThrows(StoreUnavailableException.class,
                    () -> store.release(WEB, event(WEB, Verdict.RELEASED), k -> "sealed"));
        } finally {
            cluster.restart();
        }
        assertEquals("sealed", store.release(WEB, event(WEB, Verdict.RELEASED), k -> "sealed"));
        AuditVerification.Intact v = assertInstanceOf(AuditVerification.Intact.class, store.audit().verify());
        assertEquals(1, v.verifiedRecords());
    }
}
