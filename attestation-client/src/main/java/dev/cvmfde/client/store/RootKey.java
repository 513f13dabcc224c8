package dev.cvmfde.client.store;

/**
 * The key that wraps every image's data-encryption key (envelope encryption, IBM's WDEK): AES-256
 * in a local file ({@code file:PATH}, mode 0600) or in a PKCS#11 token ({@code pkcs11:CONFIG?…}),
 * where it never leaves the token. {@link #wrap}/{@link #unwrap} are AES-GCM with the image id as
 * associated data, so a wrapped key moved to another image does not unwrap. Made by
 * {@link RootKeys}; implementations are thread-safe.
 */
public interface RootKey extends AutoCloseable {
    /** Encrypts {@code dek} (bound to {@code aad}); the result holds the IV and the tag. */
    byte[] wrap(byte[] dek, byte[] aad) throws RootKeyUnavailableException;

    /**
     * Decrypts what {@link #wrap} made; the caller zeroizes the result. A wrong root key or an
     * altered blob throws {@link RootKeyUnavailableException} saying so.
     */
    byte[] unwrap(byte[] wrapped, byte[] aad) throws RootKeyUnavailableException;

    /** Where the key is, for messages ({@code file:/etc/cvmfde/root.key}, {@code pkcs11:token 'x' key 'y'}). */
    String describe();

    @Override
    void close();
}
