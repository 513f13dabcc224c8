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
 * 96-bit random IV per encryption, 128-bit tag, blob = IV ‖ ciphertext ‖ tag, the image id in
 * the associated data. The provider is the JDK's, or the PKCS#11 token's when the key lives there.
 */
final class Gcm {
    static final int IV_BYTES = 12;
    static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Gcm() {
    }

    /** @param provider null for the JDK's default */
    static byte[] encrypt(Key key, Provider provider, byte[] plain, byte[] aad) throws GeneralSecurityException {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        Cipher c = cipher(provider);
        c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
        c.updateAAD(aad);
        byte[] sealed = c.doFinal(plain);
        byte[] blob = Arrays.copyOf(iv, IV_BYTES + sealed.length);
        System.arraycopy(sealed, 0, blob, IV_BYTES, sealed.length);
        Arrays.fill(sealed, (byte) 0);
        return blob;
    }

    /** @throws AEADBadTagException for a wrong key or an altered blob */
    static byte[] decrypt(Key key, Provider provider, byte[] blob, byte[] aad) throws GeneralSecurityException {
        if (blob.length < IV_BYTES + TAG_BITS / 8) {
            throw new AEADBadTagException("blob is " + blob.length + " bytes; at least " + (IV_BYTES + TAG_BITS / 8)
                    + " expected (IV and tag)");
        }
        Cipher c = cipher(provider);
        c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, blob, 0, IV_BYTES));
        c.updateAAD(aad);
        return c.doFinal(blob, IV_BYTES, blob.length - IV_BYTES);
    }

    /** {@link #encrypt} for a root key: any failure means the root key is unavailable. */
    static byte[] rootWrap(Key key, Provider provider, byte[] dek, byte[] aad, String where)
            throws RootKeyUnavailableException {
        try {
            return encrypt(key, provider, dek, aad);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new RootKeyUnavailableException("root key " + where + " could not wrap: " + describe(e), e);
        }
    }

    /** {@link #decrypt} for a root key: a tag mismatch says it is the wrong root key (or an altered store). */
    static byte[] rootUnwrap(Key key, Provider provider, byte[] wrapped, byte[] aad, String where)
            throws RootKeyUnavailableException {
        try {
            return decrypt(key, provider, wrapped, aad);
        } catch (AEADBadTagException e) {
            throw new RootKeyUnavailableException("root key " + where + " does not open this wrapped key (GCM tag"
                    + " mismatch): it is not the root key the store was written with, or the store was altered", e);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new RootKeyUnavailableException("root key " + where + " could not unwrap: " + describe(e), e);
        }
    }

    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    private static Cipher cipher(Provider provider) throws GeneralSecurityException {
        return provider == null ? Cipher.getInstance("AES/GCM/NoPadding")
                : Cipher.getInstance("AES/GCM/NoPadding", provider);
    }
}
