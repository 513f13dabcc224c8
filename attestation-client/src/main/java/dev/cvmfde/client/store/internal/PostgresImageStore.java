package dev.cvmfde.client.store.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cvmfde.client.store.AuditEvent;
import dev.cvmfde.client.store.AuditTrail;
import dev.cvmfde.client.store.ImageExistsException;
import dev.cvmfde.client.store.ImageId;
import dev.cvmfde.client.store.RootKey;
import dev.cvmfde.client.store.StoreCorruptException;
import dev.cvmfde.client.store.StoreException;
import dev.cvmfde.client.store.StoreUnavailableException;
import dev.cvmfde.client.store.UnknownImageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The store in PostgreSQL, for several brokers sharing it: tables {@code cvmfde_store_meta},
 * {@code cvmfde_images} (one row per image: the envelope's two ciphertexts and the baselines as
 * JSON) and {@code cvmfde_audit} (one row per record, the same canonical line as the directory
 * store's). Connections come from a HikariCP pool. Every change is one transaction; a release
 * locks the image row (FOR SHARE), unwraps and seals, inserts its audit row and commits together.
 * Audit appends are serialised by a transaction-scoped advisory lock, so the chain stays linear
 * whichever broker writes.
 */
final class PostgresImageStore extends AbstractImageStore {
    /** Connections per store (per broker process) at most, and kept open when idle. */
    static final int POOL_SIZE = 10;
    static final int POOL_MIN_IDLE = 2;
    /**
     * HikariCP logs pool start and stop at INFO through slf4j → java.util.logging; a CLI command
     * prints nothing it was not asked for, so only its warnings pass (held here: JUL keeps loggers weakly).
     */
    private static final java.util.logging.Logger HIKARI_LOG = quiet("com.zaxxer.hikari");

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
        l.setLevel(java.util.logging.Level.WARNING);
        return l;
    }
    /** How long to wait for a connection before the store counts as unavailable. */
    static final long CONNECT_TIMEOUT_MS = 5_000;
    /** Advisory-lock keys ("cvmfde" schema creation, audit appends). */
    static final long SCHEMA_LOCK = 0x6376_6d66_6465_0001L;
    static final long AUDIT_LOCK = 0x6376_6d66_6465_0002L;

    private final HikariDataSource pool;
    private final String description;
    private final PostgresAuditTrail audit;

    private PostgresImageStore(HikariDataSource pool, String description, RootKey rootKey, Clock clock) {
        super(rootKey, clock);
        this.pool = pool;
        this.description = description;
        this.audit = new PostgresAuditTrail(this);
    }

    static PostgresImageStore open(String spec, RootKey rootKey, boolean create, Clock clock) throws StoreException {
        String description = withoutPassword(spec);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:" + spec);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(POOL_MIN_IDLE);
        config.setConnectionTimeout(CONNECT_TIMEOUT_MS);
        config.setPoolName("cvmfde-store");
        config.setAutoCommit(false);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("PostgreSQL store " + description + " is not reachable: " + Gcm.describe(e), e);
        }
        try {
            PostgresImageStore store = new PostgresImageStore(pool, description, rootKey, clock);
            if (create) {
                store.createSchema(rootKey);
            }
            byte[] check = store.rootKeyCheck();
            if (rootKey != null) {
                checkRootKey(rootKey, check, description);
            }
            return store;
        } catch (StoreException | RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    static String withoutPassword(String spec) {
        return spec.replaceAll("([?&])password=[^&]*", "$1password=***");
    }

    @FunctionalInterface
    interface Tx<T> {
        T run(Connection c) throws SQLException, StoreException;
    }

    /** Runs {@code body} in one transaction: committed if it returns, rolled back if it throws. */
    <T> T tx(Tx<T> body) throws StoreException {
        try (Connection c = pool.getConnection()) {
            try {
                T result = body.run(c);
                c.commit();
                return result;
            } catch (SQLException | StoreException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("PostgreSQL store " + description + ": " + e.getMessage()
                    + " (SQLState " + e.getSQLState() + ")", e);
        }
    }

    private void createSchema(RootKey rootKey) throws StoreException {
        tx(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
                s.execute("CREATE TABLE IF NOT EXISTS cvmfde_store_meta (name text PRIMARY KEY, value text NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS cvmfde_images (id text PRIMARY KEY, added_at text NOT NULL,"
                        + " wrapped_dek bytea NOT NULL, encrypted_key bytea NOT NULL, baselines text NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS cvmfde_audit (seq bigint PRIMARY KEY, line text NOT NULL)");
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO cvmfde_store_meta (name, value) VALUES (?, ?)"
                    + " ON CONFLICT (name) DO NOTHING")) {
                p.setString(1, "format");
                p.setString(2, DirectoryImageStore.FORMAT + " " + DirectoryImageStore.VERSION);
                p.executeUpdate();
                p.setString(1, "rootKeyCheck");
                p.setString(2, Base64.getEncoder().encodeToString(newRootKeyCheck(rootKey)));
                p.executeUpdate();
            }
            return null;
        });
    }

    private byte[] rootKeyCheck() throws StoreException {
        return tx(c -> {
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT name, value FROM cvmfde_store_meta")) {
                String format = null;
                String check = null;
                while (r.next()) {
                    switch (r.getString(1)) {
                        case "format" -> format = r.getString(2);
                        case "rootKeyCheck" -> check = r.getString(2);
                        default -> { }
                    }
                }
                if (!(DirectoryImageStore.FORMAT + " " + DirectoryImageStore.VERSION).equals(format) || check == null) {
                    throw new StoreCorruptException("PostgreSQL store " + description + ": cvmfde_store_meta is not a version "
                            + DirectoryImageStore.VERSION + " image store");
                }
                return Base64.getDecoder().decode(check);
            } catch (SQLException e) {
                if ("42P01".equals(e.getSQLState())) {
                    throw new StoreUnavailableException("no image store in " + description
                            + " (no table cvmfde_store_meta); 'image add' creates one");
                }
                throw e;
            }
        });
    }

    private static StoredImage row(ResultSet r, String where) throws SQLException, StoreException {
        ImageId id = ImageId.of(r.getString("id"));
        return new StoredImage(id, Instant.parse(r.getString("added_at")),
                new Envelope(r.getBytes("wrapped_dek"), r.getBytes("encrypted_key")),
                ImageJson.parseBaselines(r.getString("baselines"), where + " image '" + id + "'"));
    }

    private Optional<StoredImage> select(Connection c, ImageId id, String lock) throws SQLException, StoreException {
        try (PreparedStatement p = c.prepareStatement("SELECT id, added_at, wrapped_dek, encrypted_key, baselines"
                + " FROM cvmfde_images WHERE id = ?" + lock)) {
            p.setString(1, id.value());
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(row(r, description)) : Optional.empty();
            }
        }
    }

    @Override
    Optional<StoredImage> read(ImageId id) throws StoreException {
        return tx(c -> select(c, id, ""));
    }

    @Override
    List<StoredImage> readAll() throws StoreException {
        return tx(c -> {
            List<StoredImage> out = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT id, added_at, wrapped_dek, encrypted_key, baselines FROM cvmfde_images")) {
                while (r.next()) {
                    out.add(row(r, description));
                }
            }
            return out;
        });
    }

    @Override
    void insert(StoredImage image) throws StoreException {
        tx(c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO cvmfde_images (id, added_at, wrapped_dek,"
                    + " encrypted_key, baselines) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
                p.setString(1, image.id().value());
                p.setString(2, image.addedAt().toString());
                p.setBytes(3, image.envelope().wrappedDek());
                p.setBytes(4, image.envelope().encryptedKey());
                p.setString(5, ImageJson.baselinesJson(image.baselines()));
                if (p.executeUpdate() == 0) {
                    throw new ImageExistsException(image.id());
                }
            }
            return null;
        });
    }

    @Override
    void delete(ImageId id) throws StoreException {
        tx(c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM cvmfde_images WHERE id = ?")) {
                p.setString(1, id.value());
                if (p.executeUpdate() == 0) {
                    throw new UnknownImageException(id);
                }
            }
            return null;
        });
    }

    @Override
    void update(ImageId id, BaselineChange change) throws StoreException {
        tx(c -> {
            StoredImage image = select(c, id, " FOR UPDATE").orElseThrow(() -> new UnknownImageException(id));
            try (PreparedStatement p = c.prepareStatement("UPDATE cvmfde_images SET baselines = ? WHERE id = ?")) {
                p.setString(1, ImageJson.baselinesJson(change.apply(image.baselines())));
                p.setString(2, id.value());
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    <T> T releaseStep(ImageId id, AuditEvent released, ReleaseStep<T> step) throws StoreException {
        return tx(c -> {
            StoredImage image = select(c, id, " FOR SHARE").orElseThrow(() -> new UnknownImageException(id));
            T result = step.apply(image);
            audit.appendIn(c, released);
            return result;
        });
    }

    @Override
    public AuditTrail audit() {
        return audit;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        pool.close();
    }
}
