package dev.cvmfde.client.store.internal;

import dev.cvmfde.client.store.ImageStore;
import dev.cvmfde.client.store.RootKey;
import dev.cvmfde.client.store.StoreException;
import dev.cvmfde.client.store.StoreUnavailableException;

/** Parses a store spec ({@code dir:PATH}, {@code PATH}, {@code postgresql://…}) and opens the store. */
public final class StoreSpecs {
    private StoreSpecs() {
    }

    /** @param rootKey null: opened without a root key */
    public static ImageStore open(String spec, RootKey rootKey, boolean create) throws StoreException {
        throw new StoreUnavailableException("image stores are being implemented on branch 'store' (API only so far)");
    }
}
