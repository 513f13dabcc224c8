package dev.cvmfde.client.store.internal;

import dev.cvmfde.client.store.ImageId;
import dev.cvmfde.client.store.RootKey;
import dev.cvmfde.client.store.RootKeyUnavailableException;
import dev.cvmfde.client.store.StoreCorruptException;
import dev.cvmfde.protocol.secret.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption of one image's key (IBM's WDEK): a fresh 256-bit DEK encrypts the key
 * (AES-GCM), the root key wraps the DEK (AES-GCM, inside the token for PKCS#11). Both carry the
 * image id in their associated data, so neither blob opens under another image's name. The DEK
 * and the plain key are zeroized as soon as they are used.
 */
public record Envelope(byte[] wrappedDek, byte[] encryptedKey) {
    static final int DEK_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    public Envelope {
        wrappedDek = wrappedDek.clone();
        encryptedKey = encryptedKey.clone();
    }

    @Override
    public byte[] wrappedDek() {
        return wrappedDek.clone();
    }

    @Override
    public byte[] encryptedKey() {
        return encryptedKey.clone();
    }

    static byte[] dekAad(ImageId id) {
        return ("cvmfde image-store v1 dek " + id.value()).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] keyAad(ImageId id) {
        return ("cvmfde image-store v1 key " + id.value()).getBytes(StandardCharsets.US_ASCII);
    }

    /** Wraps {@code key} for {@code id}; {@code key} stays the caller's. */
    public static Envelope seal(RootKey root, ImageId id, SecretBytes key) throws RootKeyUnavailableException {
        byte[] dek = new byte[DEK_BYTES];
        RANDOM.nextBytes(dek);
        try {
            byte[] encrypted = key.use(k -> {
                try {
                    return Gcm.encrypt(new SecretKeySpec(dek, "AES"), null, k, keyAad(id));
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("AES-GCM with a fresh DEK failed: " + Gcm.describe(e), e);
                }
            });
            return new Envelope(root.wrap(dek, dekAad(id)), encrypted);
        } finally {
            Arrays.fill(dek, (byte) 0);
        }
    }

    /** Unwraps the key of {@code id}; the caller closes it. */
    public SecretBytes open(RootKey root, ImageId id) throws RootKeyUnavailableException, StoreCorruptException {
        byte[] dek = root.unwrap(wrappedDek, dekAad(id));
        try {
            return SecretBytes.takeOwnership(Gcm.decrypt(new SecretKeySpec(dek, "AES"), null, encryptedKey, keyAad(id)));
        } catch (GeneralSecurityException e) {
            throw new StoreCorruptException("the encrypted key of image '" + id + "' does not open with its DEK ("
                    + Gcm.describe(e) + "): the store was altered");
        } finally {
            Arrays.fill(dek, (byte) 0);
        }
    }
}
