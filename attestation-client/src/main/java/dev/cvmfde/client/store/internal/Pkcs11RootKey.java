package dev.cvmfde.client.store.internal;

import dev.cvmfde.client.store.RootKey;
import dev.cvmfde.client.store.RootKeyUnavailableException;
import dev.cvmfde.protocol.secret.KeyFileException;
import dev.cvmfde.protocol.secret.KeyFileMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * A root key that lives in a PKCS#11 token (an HSM; SoftHSM2 in tests), used through the JDK's
 * SunPKCS11 provider configured at run time from the operator's config file. The AES key is a
 * handle: GCM runs inside the token, the key bytes never enter this process. If the token
 * goes away (removed, its library failing, logged out), every wrap and unwrap throws
 * {@link RootKeyUnavailableException} naming the token and the PKCS#11 error: releases fail closed.
 */
public final class Pkcs11RootKey implements RootKey {
    /** Longest PIN file read. */
    public static final int MAX_PIN_BYTES = 256;

    private final Provider provider;
    private final SecretKey key;
    private final String description;

    private Pkcs11RootKey(Provider provider, SecretKey key, String description) {
        this.provider = provider;
        this.key = key;
        this.description = description;
    }

    static Pkcs11RootKey open(Path config, String alias, Path pinFile) throws RootKeyUnavailableException {
        String where = "pkcs11:" + config + " key '" + alias + "'";
        if (!Files.isReadable(config)) {
            throw new RootKeyUnavailableException("PKCS#11 config " + config + " does not exist or cannot be read");
        }
        char[] pin = readPin(pinFile);
        try {
            Provider base = Security.getProvider("SunPKCS11");
            if (base == null) {
                throw new RootKeyUnavailableException("this JVM has no SunPKCS11 provider (module jdk.crypto.cryptoki)");
            }
            Provider provider;
            try {
                provider = base.configure(config.toString());
            } catch (RuntimeException e) {
                throw new RootKeyUnavailableException(where + ": the token is not available (SunPKCS11 could not"
                        + " configure " + config + ": " + Gcm.describe(e) + ")", e);
            }
            KeyStore store;
            try {
                store = KeyStore.getInstance("PKCS11", provider);
                store.load(null, pin);
            } catch (Exception e) {
                throw new RootKeyUnavailableException(where + ": cannot log in to the token (" + Gcm.describe(e) + ")", e);
            }
            Key k;
            try {
                k = store.getKey(alias, null);
            } catch (Exception e) {
                throw new RootKeyUnavailableException(where + ": cannot read the key (" + Gcm.describe(e) + ")", e);
            }
            if (!(k instanceof SecretKey secret) || !"AES".equalsIgnoreCase(k.getAlgorithm())) {
                throw new RootKeyUnavailableException(where + ": the token has no AES secret key with this alias"
                        + (k == null ? "" : " (found a " + k.getAlgorithm() + " key)"));
            }
            return new Pkcs11RootKey(provider, secret, where);
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    private static char[] readPin(Path pinFile) throws RootKeyUnavailableException {
        try {
            KeyFileMode.requireOwnerOnly(pinFile, "PKCS#11 PIN file");
        } catch (KeyFileException e) {
            throw new RootKeyUnavailableException("root key: " + e.getMessage(), e);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(pinFile)) {
            bytes = in.readNBytes(MAX_PIN_BYTES + 1);
        } catch (IOException e) {
            throw new RootKeyUnavailableException("cannot read PKCS#11 PIN file " + pinFile + ": " + e.getMessage(), e);
        }
        try {
            if (bytes.length > MAX_PIN_BYTES) {
                throw new RootKeyUnavailableException("PKCS#11 PIN file " + pinFile + " is longer than MAX_PIN_BYTES="
                        + MAX_PIN_BYTES);
            }
            int n = bytes.length;
            while (n > 0 && (bytes[n - 1] == '\n' || bytes[n - 1] == '\r')) {
                n--;
            }
            CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes, 0, n));
            char[] pin = Arrays.copyOf(chars.array(), chars.limit());
            Arrays.fill(chars.array(), '\0');
            return pin;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    @Override
    public byte[] wrap(byte[] dek, byte[] aad) throws RootKeyUnavailableException {
        try {
            return Gcm.rootWrap(key, provider, dek, aad, description);
        } catch (RootKeyUnavailableException e) {
            throw withHint(e);
        }
    }

    @Override
    public byte[] unwrap(byte[] wrapped, byte[] aad) throws RootKeyUnavailableException {
        try {
            return Gcm.rootUnwrap(key, provider, wrapped, aad, description);
        } catch (RootKeyUnavailableException e) {
            throw withHint(e);
        }
    }

    /** A PKCS#11 failure (not a tag mismatch) says where to look: the token went away or refuses. */
    private static RootKeyUnavailableException withHint(RootKeyUnavailableException e) {
        if (e.getCause() instanceof javax.crypto.AEADBadTagException) {
            return e;
        }
        return new RootKeyUnavailableException(e.getMessage() + " (the token or its key is not available: removed,"
                + " logged out, or its library failed); no key is released until it is back", e);
    }

    @Override
    public String describe() {
        return description;
    }

    /** Logs the provider's session out; the library stays loaded (PKCS#11 is initialised once per process). */
    @Override
    public void close() {
        if (provider instanceof java.security.AuthProvider auth) {
            try {
                auth.logout();
            } catch (javax.security.auth.login.LoginException | RuntimeException e) {
                // a removed token cannot be logged out of; nothing is left to protect in this process
            }
        }
    }


    @Override
    public String toString() {
        return "Pkcs11RootKey[" + description + "]";
    }
}
