package dev.cvmfde.client.store.internal;

import dev.cvmfde.client.store.ImageStore;
import dev.cvmfde.client.store.RootKey;
import dev.cvmfde.client.store.StoreException;
import java.nio.file.Path;
import java.time.Clock;

/** Parses a store spec ({@code dir:PATH}, {@code PATH}, {@code postgresql://…}) and opens the store. */
public final class StoreSpecs {
    private StoreSpecs() {
    }

    /** @param rootKey null: opened without a root key */
    public static ImageStore open(String spec, RootKey rootKey, boolean create) throws StoreException {
        return open(spec, rootKey, create, Clock.systemUTC());
    }

    /** As {@link #open(String, RootKey, boolean)} with the clock that stamps additions and checks rollout ends. */
    public static ImageStore open(String spec, RootKey rootKey, boolean create, Clock clock) throws StoreException {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("store spec is empty; give dir:PATH or postgresql://HOST:PORT/DB?user=U");
        }
        if (spec.startsWith("postgresql://")) {
            return PostgresImageStore.open(spec, rootKey, create, clock);
        }
        if (spec.startsWith("postgres://") || spec.startsWith("jdbc:")) {
            throw new IllegalArgumentException("store spec " + PostgresImageStore.withoutPassword(spec)
                    + ": write postgresql://HOST:PORT/DB?user=U");
        }
        String path = spec.startsWith("dir:") ? spec.substring("dir:".length()) : spec;
        if (path.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            throw new IllegalArgumentException("store spec " + spec + ": unknown scheme; give dir:PATH or postgresql://…");
        }
        return DirectoryImageStore.open(Path.of(path), rootKey, create, clock);
    }
}
