package dev.cvmfde.protocol.crypto;

import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jca.JWEJCAContext;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Optional;

/**
 * The JCA provider for the EC work of a key release (ECDSA sign/verify, ECDH, key generation):
 * Bouncy Castle when its jar is on the class path (the host's attestation-client always has it),
 * else the JDK's SunEC (the guest runtime ships no Bouncy Castle). Bouncy Castle is used as an
 * instance, never registered globally. Measured in this JVM (bench/release-latency prints it),
 * P-384 in Bouncy Castle 1.87 is 3–7× faster than SunEC for every operation; the keys must be
 * Bouncy Castle keys on the named curve for that (a JDK key makes it rebuild the curve and its
 * precomputed tables on every call), hence {@link #publicKey}/{@link #privateKey}.
 * {@code -Dcvmfde.ec-provider=jdk} forces SunEC (for comparisons).
 */
public final class EcCrypto {
    /** System property naming the provider: {@code jdk} forces SunEC; anything else: Bouncy Castle if present. */
    public static final String PROVIDER_PROPERTY = "cvmfde.ec-provider";
    private static final String BC_CLASS = "org.bouncycastle.jce.provider.BouncyCastleProvider";
    private static final Optional<Provider> PROVIDER = load();

    private EcCrypto() {
    }

    private static Optional<Provider> load() {
        if ("jdk".equalsIgnoreCase(System.getProperty(PROVIDER_PROPERTY, ""))) {
            return Optional.empty();
        }
        try {
            return Optional.of((Provider) Class.forName(BC_CLASS).getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            return Optional.empty();
        }
    }

    /** Bouncy Castle if available; empty: the JCA default (SunEC). */
    public static Optional<Provider> provider() {
        return PROVIDER;
    }

    /** "BC" or "SunEC", for logs and the bench. */
    public static String providerName() {
        return PROVIDER.map(Provider::getName).orElse("SunEC");
    }

    /** {@code key} as a key of {@link #provider()} (re-read from its X.509 encoding); unchanged without one. */
    public static ECPublicKey publicKey(ECPublicKey key) {
        if (PROVIDER.isEmpty() || key.getClass().getName().startsWith("org.bouncycastle.")) {
            return key;
        }
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC", PROVIDER.get())
                    .generatePublic(new X509EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException | RuntimeException e) {
            return key;
        }
    }

    /** {@code key} as a key of {@link #provider()} (re-read from PKCS#8, the copy zeroized); unchanged without one. */
    public static ECPrivateKey privateKey(ECPrivateKey key) {
        if (PROVIDER.isEmpty() || key.getClass().getName().startsWith("org.bouncycastle.")) {
            return key;
        }
        byte[] pkcs8 = key.getEncoded();
        if (pkcs8 == null) {
            return key;
        }
        try {
            return (ECPrivateKey) KeyFactory.getInstance("EC", PROVIDER.get()).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException | RuntimeException e) {
            return key;
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    /** A new key pair on the named curve ({@code secp384r1}, {@code secp256r1}). */
    public static KeyPair generate(String curveName) throws GeneralSecurityException {
        KeyPairGenerator g = PROVIDER.isPresent() ? KeyPairGenerator.getInstance("EC", PROVIDER.get())
                : KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curveName));
        return g.generateKeyPair();
    }

    /** A {@link Signature} for {@code jcaName} (e.g. SHA384withECDSA) from {@link #provider()}. */
    public static Signature signature(String jcaName) throws GeneralSecurityException {
        return PROVIDER.isPresent() ? Signature.getInstance(jcaName, PROVIDER.get()) : Signature.getInstance(jcaName);
    }

    /** Makes a Nimbus JWS signer/verifier use {@link #provider()}. */
    public static <T extends JCAContext> T use(T context) {
        PROVIDER.ifPresent(p -> {
            if (context instanceof JWEJCAContext jwe) {
                jwe.setKeyEncryptionProvider(p); // ECDH, key generation, AES key wrap; AES-GCM stays on the JDK
            } else {
                context.setProvider(p);
            }
        });
        return context;
    }
}
