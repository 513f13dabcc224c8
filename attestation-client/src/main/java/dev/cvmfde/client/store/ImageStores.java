package dev.cvmfde.client.store;

/**
 * Opens an {@link ImageStore} from a spec:
 * <ul>
 * <li>{@code dir:PATH} (or just {@code PATH}; the default): a directory of files written
 *     atomically (temp file, fsync, rename) under a writer lock, the audit trail as JSON lines.</li>
 * <li>{@code postgresql://HOST:PORT/DB?user=U[&password=P][&…pgjdbc properties]}: PostgreSQL, for
 *     several brokers sharing one store (a connection pool per store; the schema is created by
 *     {@link #create}).</li>
 * </ul>
 * {@link #open} needs the store to exist; {@link #create} makes it if missing (idempotent).
 */
public final class ImageStores {
    private ImageStores() {
    }

    /** Opens an existing store without a root key: list, remove, audit; keys cannot be added or released. */
    public static ImageStore open(String spec) throws StoreException {
        return dev.cvmfde.client.store.internal.StoreSpecs.open(spec, null, false);
    }

    /** Opens an existing store whose keys {@code rootKey} wraps. */
    public static ImageStore open(String spec, RootKey rootKey) throws StoreException {
        return dev.cvmfde.client.store.internal.StoreSpecs.open(spec, java.util.Objects.requireNonNull(rootKey, "rootKey"),
                false);
    }

    /** Opens the store, creating it (directory, or tables) if it does not exist yet. */
    public static ImageStore create(String spec, RootKey rootKey) throws StoreException {
        return dev.cvmfde.client.store.internal.StoreSpecs.open(spec, java.util.Objects.requireNonNull(rootKey, "rootKey"),
                true);
    }
}
