package dev.cvmfde.client.cli;

import dev.cvmfde.client.store.ImageStore;
import dev.cvmfde.client.store.ImageStores;
import dev.cvmfde.client.store.RootKey;
import dev.cvmfde.client.store.RootKeys;
import dev.cvmfde.client.store.StoreException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --store SPEC} and {@code --root-key SPEC}, shared by the commands that use the image
 * store ({@code image …}, {@code audit …}, and the broker). Opening is fail-closed: a missing
 * store, root key or token is an error before anything else happens.
 */
final class StoreOptions {
    static final String STORE_HELP = "The image store: dir:PATH (or PATH; a directory, the default kind) or "
            + "postgresql://HOST:PORT/DB?user=U[&password=P] (several brokers sharing one store).";
    static final String ROOT_KEY_HELP = "The root key that wraps the stored keys: file:PATH (or PATH; 32 bytes, mode "
            + "0600, made by 'attestation-client root-key --out PATH') or pkcs11:CONFIG?alias=KEY&pin-file=PIN (an AES "
            + "key in a PKCS#11 token through SunPKCS11; CONFIG is a SunPKCS11 config file, PIN a 0600 file).";

    @Option(names = "--store", required = true, paramLabel = "SPEC", description = STORE_HELP)
    String store;

    @Option(names = "--root-key", paramLabel = "SPEC", description = ROOT_KEY_HELP)
    String rootKey;

    /** Opens the root key; the caller closes it after the store. A malformed spec is a usage error. */
    RootKey openRootKey(CommandSpec spec) throws StoreException {
        if (rootKey == null) {
            throw ExitCodes.usage(spec, "this command needs the store's root key: give --root-key file:PATH or"
                    + " --root-key pkcs11:CONFIG?alias=KEY&pin-file=PIN");
        }
        try {
            return RootKeys.open(rootKey);
        } catch (IllegalArgumentException e) {
            throw ExitCodes.usage(spec, "--root-key: " + e.getMessage());
        }
    }

    /**
     * Opens the root key without a command's spec (the broker's {@code serve}): a missing option
     * throws {@link dev.cvmfde.client.store.RootKeyUnavailableException}, a malformed spec
     * {@link IllegalArgumentException}.
     */
    RootKey openRootKey() throws StoreException {
        if (rootKey == null) {
            throw new dev.cvmfde.client.store.RootKeyUnavailableException(
                    "this command needs the store's root key: give --root-key file:PATH or --root-key pkcs11:…");
        }
        return RootKeys.open(rootKey);
    }

    /** Opens (or with {@code create}, makes) the store whose keys {@code root} wraps. */
    ImageStore open(CommandSpec spec, RootKey root, boolean create) throws StoreException {
        try {
            return create ? ImageStores.create(store, root) : ImageStores.open(store, root);
        } catch (IllegalArgumentException e) {
            throw ExitCodes.usage(spec, "--store: " + e.getMessage());
        }
    }

    /** The store without a root key (list, remove, rotate-baseline, audit). */
    ImageStore openWithoutKey(CommandSpec spec) throws StoreException {
        try {
            return ImageStores.open(store);
        } catch (IllegalArgumentException e) {
            throw ExitCodes.usage(spec, "--store: " + e.getMessage());
        }
    }
}
