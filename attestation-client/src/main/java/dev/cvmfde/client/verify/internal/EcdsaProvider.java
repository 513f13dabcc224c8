package dev.cvmfde.client.verify.internal;

import dev.cvmfde.protocol.crypto.EcCrypto;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The JCA provider the verifier checks ECDSA signatures with: Bouncy Castle, used as an
 * instance and never registered globally (so nothing else in the JVM changes provider).
 * Measured on the shared 2-core build host, P-384 verify: JDK 25 SunEC about 220/s, Bouncy
 * Castle 1.87 about 900–1,400/s with a cached key (see bench/verify-throughput and the module README).
 */
public final class EcdsaProvider {
    /**
     * The provider instance: the one {@link EcCrypto} already made for the release's EC work (one
     * Bouncy Castle instance per JVM, not two); its own only when {@code -Dcvmfde.ec-provider=jdk}
     * sent the release to SunEC, since the verifier always checks ECDSA with Bouncy Castle.
     */
    public static final Provider INSTANCE = EcCrypto.provider().orElseGet(BouncyCastleProvider::new);

    /**
     * How many parsed keys {@link #forVerification} keeps (least recently used goes first): the
     * trust anchors and the RAKs of the realms a verifier sees repeatedly.
     */
    public static final int MAX_CACHED_KEYS = 256;

    /**
     * SubjectPublicKeyInfo encoding → the Bouncy Castle key parsed from exactly those bytes. Parsing
     * is a pure function of the encoding, so a hit gives the same key a fresh parse would; what it
     * saves is the parse and, above all, Bouncy Castle's per-point window precomputation, which it
     * keeps on the key's point object and reuses on every later verify with that object (about 3×
     * the verifies/s of a freshly parsed key). No verification result is cached here.
     */
    private static final Map<EncodedKey, PublicKey> KEYS = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<EncodedKey, PublicKey> eldest) {
            return size() > MAX_CACHED_KEYS;
        }
    };

    private EcdsaProvider() {
    }

    /**
     * The key as a Bouncy Castle key, re-read from its encoding so that BC picks its optimised
     * named-curve arithmetic (handing BC a JDK key makes it build a generic curve, about half as
     * fast). Non-EC keys, or a key BC cannot read, are returned unchanged.
     */
    public static PublicKey forVerification(PublicKey key) {
        if (!(key instanceof ECPublicKey)) {
            return key;
        }
        byte[] encoded = key.getEncoded();
        if (encoded == null) {
            return key;
        }
        EncodedKey id = new EncodedKey(encoded);
        synchronized (KEYS) {
            PublicKey cached = KEYS.get(id);
            if (cached != null) {
                return cached;
            }
        }
        PublicKey parsed;
        try {
            parsed = KeyFactory.getInstance("EC", INSTANCE).generatePublic(new X509EncodedKeySpec(encoded));
        } catch (GeneralSecurityException | RuntimeException e) {
            return key;
        }
        synchronized (KEYS) {
            PublicKey raced = KEYS.putIfAbsent(id, parsed);
            return raced != null ? raced : parsed;
        }
    }

    /** How many parsed keys are cached now (for tests). */
    static int cachedKeys() {
        synchronized (KEYS) {
            return KEYS.size();
        }
    }

    /** A public key's encoding as a map key (public data: compared with equals, not in constant time). */
    private record EncodedKey(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof EncodedKey k && java.util.Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "EncodedKey[" + bytes.length + " B]";
        }
    }
}
