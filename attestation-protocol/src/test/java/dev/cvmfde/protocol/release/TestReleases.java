package dev.cvmfde.protocol.release;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.cvmfde.protocol.crypto.EcCrypto;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.WireLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.Map;

/**
 * Test fixture (shared with attestation-server's and fde-agent's tests through this module's
 * test-jar): seals a release with no appraisal at all, so that the guest's opener and server can
 * be tested against releases of every shape (expired, another nonce, another key, P-256). Main
 * code has no such thing: attestation-client's {@code KeyRelease} takes only an {@code Affirming}.
 */
public final class TestReleases {
    /** Default validity of a release; the exchange takes milliseconds, this allows clock skew. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);

    private TestReleases() {
    }

    public static String seal(SecretBytes key, ECKey guestEphemeralPublic, byte[] nonce, ECKey verifierSigningPrivate) {
        return seal(key, guestEphemeralPublic, nonce, verifierSigningPrivate, Clock.systemUTC(), DEFAULT_LIFETIME);
    }

    /**
     * @return the release as a compact JWS (fits {@link WireLimits#MAX_RELEASE_JWS_CHARS} for
     *     keys up to {@code KeyFile.MAX_KEY_FILE_BYTES})
     * @throws IllegalArgumentException if an input is unusable (empty key, nonce not 64 bytes,
     *     guest key private or on another curve, signing key without private part, lifetime
     *     outside 1 s … {@link ReleaseFormat#MAX_LIFETIME})
     */
    public static String seal(SecretBytes key, ECKey guestEphemeralPublic, byte[] nonce,
                              ECKey verifierSigningPrivate, Clock clock, Duration lifetime) {
        checkSigningKey(verifierSigningPrivate);
        return seal(key, guestEphemeralPublic, nonce, signer(verifierSigningPrivate), clock, lifetime);
    }

    /** Like {@link #seal(SecretBytes, ECKey, byte[], ECKey)} with a prepared signer. */
    public static String seal(SecretBytes key, ECKey guestEphemeralPublic, byte[] nonce, Signer signer) {
        return seal(key, guestEphemeralPublic, nonce, signer, Clock.systemUTC(), DEFAULT_LIFETIME);
    }

    /** Like {@link #seal(SecretBytes, ECKey, byte[], ECKey, Clock, Duration)} with a prepared signer. */
    public static String seal(SecretBytes key, ECKey guestEphemeralPublic, byte[] nonce, Signer signer, Clock clock,
                              Duration lifetime) {
        checkInputs(key, guestEphemeralPublic, nonce, lifetime);
        String jwe = encrypt(key, guestEphemeralPublic);
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .claim(ReleaseFormat.NONCE, Base64.getUrlEncoder().withoutPadding().encodeToString(nonce))
                .claim(ReleaseFormat.CONFIRMATION, Map.of(ReleaseFormat.JWK_THUMBPRINT, thumbprint(guestEphemeralPublic)))
                .claim(ReleaseFormat.ENCRYPTED_KEY, jwe)
                .build();
        JWSHeader header = new JWSHeader.Builder(signer.algorithm)
                .type(ReleaseFormat.TYPE)
                .keyID(signer.keyId)
                .build();
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(signer.jws);
        } catch (JOSEException e) {
            throw new IllegalStateException("ECDSA signing failed: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    /**
     * Prepares {@code verifierSigningPrivate} for signing releases (thread-safe, reusable).
     *
     * @throws IllegalArgumentException if it has no private part or is not on P-384/P-256
     */
    public static Signer signer(ECKey verifierSigningPrivate) {
        checkSigningKey(verifierSigningPrivate);
        try {
            ECDSASigner jws = new ECDSASigner(EcCrypto.privateKey(verifierSigningPrivate.toECPrivateKey()));
            EcCrypto.use(jws.getJCAContext());
            return new Signer(ReleaseFormat.SIGNATURE_BY_CURVE.get(verifierSigningPrivate.getCurve()),
                    thumbprint(verifierSigningPrivate), jws);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("verifier signing key is not a usable EC private key: " + e.getMessage(), e);
        }
    }

    /** The verifier signing key, made ready once: algorithm, {@code kid}, JCA key and Nimbus signer. */
    public static final class Signer {
        private final JWSAlgorithm algorithm;
        private final String keyId;
        private final ECDSASigner jws;

        private Signer(JWSAlgorithm algorithm, String keyId, ECDSASigner jws) {
            this.algorithm = algorithm;
            this.keyId = keyId;
            this.jws = jws;
        }

        /** The key's RFC 7638 thumbprint (the JWS {@code kid}). */
        public String keyId() {
            return keyId;
        }

        @Override
        public String toString() {
            return "TestReleases.Signer[" + algorithm + ", kid " + keyId + "]";
        }
    }

    private static String encrypt(SecretBytes key, ECKey guestEphemeralPublic) {
        byte[] plaintext = key.copy();
        try {
            JWEHeader header = new JWEHeader.Builder(ReleaseFormat.KEY_WRAP, ReleaseFormat.CONTENT)
                    .keyID(thumbprint(guestEphemeralPublic))
                    .build();
            JWEObject jwe = new JWEObject(header, new Payload(plaintext));
            ECDHEncrypter encrypter = new ECDHEncrypter(EcCrypto.publicKey(guestEphemeralPublic.toECPublicKey()));
            EcCrypto.use(encrypter.getJCAContext());
            jwe.encrypt(encrypter);
            return jwe.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("JWE encryption failed (JCA provider)", e);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private static void checkSigningKey(ECKey signingKey) {
        if (signingKey == null || !signingKey.isPrivate()
                || !ReleaseFormat.SIGNATURE_BY_CURVE.containsKey(signingKey.getCurve())) {
            throw new IllegalArgumentException("verifier signing key must be a private P-384 or P-256 key");
        }
    }

    private static void checkInputs(SecretBytes key, ECKey guestKey, byte[] nonce, Duration lifetime) {
        if (key == null || key.length() == 0) {
            throw new IllegalArgumentException("key to release is empty");
        }
        if (nonce == null || nonce.length != WireLimits.NONCE_BYTES) {
            throw new IllegalArgumentException("nonce must hold exactly " + WireLimits.NONCE_BYTES + " bytes");
        }
        if (guestKey == null || guestKey.isPrivate() || !Evidence.EPHEMERAL_KEY_CURVES.contains(guestKey.getCurve())) {
            throw new IllegalArgumentException("guest ephemeral key must be a public P-256 or P-384 key");
        }
        if (lifetime == null || lifetime.toSeconds() < 1 || lifetime.compareTo(ReleaseFormat.MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("lifetime must be 1 s to " + ReleaseFormat.MAX_LIFETIME.toSeconds() + " s");
        }
    }

    static String thumbprint(ECKey key) {
        return ReleaseFormat.thumbprint(key);
    }
}
