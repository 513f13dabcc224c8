package dev.cvmfde.client.store.internal;

import dev.cvmfde.client.store.RootKeyUnavailableException;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM as the store uses it for both layers (root key → DEK, DEK → image key): a fresh
 * 96-bit random IV per encryption, 128-bit tag, blob = IV ‖ ciphertext ‖ tag, the image id as
 * associated data. The provider is the JDK's, or the PKCS#11 token's when the key lives there.
 */
final class Gcm {
    static final int IV_BYTES = 12;
    static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Gcm() {
    }

    static byte[] encrypt(Key key, byte[] plain, byte[] aad, String where) throws RootKeyUnavailableException {
        return encrypt(key, null, plain, aad, where);
    }

    static byte[] decrypt(Key key, byte[] blob, byte[] aad, String where) throws RootKeyUnavailableException {
        return decrypt(key, null, blob, aad, where);
    }

    static byte[] encrypt(Key key, Provider provider, byte[] plain, byte[] aad, String where)
            throws RootKeyUnavailableException {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher c = cipher(provider);
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            c.updateAAD(aad);
            byte[] sealed = c.doFinal(plain);
            byte[] blob = Arrays.copyOf(iv, IV_BYTES + sealed.length);
            System.arraycopy(sealed, 0, blob, IV_BYTES, sealed.length);
            return blob;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new RootKeyUnavailableException("root key " + where + " could not wrap: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
    }

    static byte[] decrypt(Key key, Provider provider, byte[] blob, byte[] aad, String where)
            throws RootKeyUnavailableException {
        if (blob.length < IV_BYTES + TAG_BITS / 8) {
            throw new RootKeyUnavailableException("wrapped key is " + blob.length + " bytes; at least "
                    + (IV_BYTES + TAG_BITS / 8) + " expected (IV and tag): the store was altered");
        }
        try {
            Cipher c = cipher(provider);
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, blob, 0, IV_BYTES));
            c.updateAAD(aad);
            return c.doFinal(blob, IV_BYTES, blob.length - IV_BYTES);
        } catch (AEADBadTagException e) {
            throw new RootKeyUnavailableException("root key " + where + " does not open this wrapped key (GCM tag"
                    + " mismatch): it is not the root key the store was written with, or the wrapped key was altered", e);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new RootKeyUnavailableException("root key " + where + " could not unwrap: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
    }

    private static Cipher cipher(Provider provider) throws GeneralSecurityException {
        return provider == null ? Cipher.getInstance("AES/GCM/NoPadding")
                : Cipher.getInstance("AES/GCM/NoPadding", provider);
    }
}
