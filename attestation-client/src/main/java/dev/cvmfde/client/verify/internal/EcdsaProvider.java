package dev.cvmfde.client.verify.internal;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The JCA provider the verifier checks ECDSA signatures with: Bouncy Castle, used as an
 * instance and never registered globally (so nothing else in the JVM changes provider).
 * Measured on the shared 2-core build host, P-384 verify: JDK 25 SunEC about 220/s, Bouncy
 * Castle 1.87 about 900–1,200/s (see bench/verify-throughput and the module README).
 */
public final class EcdsaProvider {
    /** The provider instance. */
    public static final Provider INSTANCE = new BouncyCastleProvider();

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
        try {
            return KeyFactory.getInstance("EC", INSTANCE).generatePublic(new X509EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException | RuntimeException e) {
            return key;
        }
    }

    /** {@link #forVerification} for a trust-anchor key, converted once per key object. */
    public static PublicKey forTrustAnchor(PublicKey key) {
        Converted memo = last;
        if (memo != null && memo.original() == key) {
            return memo.converted();
        }
        PublicKey converted = forVerification(key);
        last = new Converted(key, converted);
        return converted;
    }

    /**
     * The last key converted, by identity: a host appraising many guests hands in the same
     * trust-anchor key object every time and converts it once. (Public keys are immutable.)
     */
    private static volatile Converted last;

    private record Converted(PublicKey original, PublicKey converted) {
    }
}
