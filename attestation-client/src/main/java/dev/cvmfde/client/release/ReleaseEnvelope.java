package dev.cvmfde.client.release;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.cvmfde.protocol.crypto.EcCrypto;
import dev.cvmfde.protocol.release.ReleaseFormat;
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
 * The sealing engine behind {@link KeyRelease}, package-private so that nothing outside this
 * package (and no other module) can seal a key: the key is encrypted as a JWE (ECDH-ES+A256KW /
 * A256GCM) to the guest's ephemeral public key; a JWS (ES384 for a P-384 signing key, ES256 for
 * P-256, {@code typ: cvmfde-release+jwt}) by the verifier covers that JWE, the session nonce, the
 * key's thumbprint ({@code cnf.jkt}) and issued-at/expiry ({@link ReleaseFormat}).
 */
final class ReleaseEnvelope {
    private ReleaseEnvelope() {
    }

    /**
     * @return the release as a compact JWS (fits {@link WireLimits#MAX_RELEASE_JWS_CHARS} for
     *     keys up to {@code KeyFile.MAX_KEY_FILE_BYTES})
     * @throws IllegalArgumentException if an input is unusable (empty key, nonce not 64 bytes,
     *     guest key private or on another curve, lifetime outside 1 s … {@link ReleaseFormat#MAX_LIFETIME})
     */
    static String seal(SecretBytes key, ECKey guestEphemeralPublic, byte[] nonce, KeyRelease.Signer signer,
                       Clock clock, Duration lifetime) {
        checkInputs(key, guestEphemeralPublic, nonce, lifetime);
        String jwe = encrypt(key, guestEphemeralPublic);
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .claim(ReleaseFormat.NONCE, Base64.getUrlEncoder().withoutPadding().encodeToString(nonce))
                .claim(ReleaseFormat.CONFIRMATION, Map.of(ReleaseFormat.JWK_THUMBPRINT,
                        ReleaseFormat.thumbprint(guestEphemeralPublic)))
                .claim(ReleaseFormat.ENCRYPTED_KEY, jwe)
                .build();
        JWSHeader header = new JWSHeader.Builder(signer.algorithm())
                .type(ReleaseFormat.TYPE)
                .keyID(signer.keyId())
                .build();
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(signer.jws());
        } catch (JOSEException e) {
            throw new IllegalStateException("ECDSA signing failed: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    /**
     * Prepares {@code verifierSigningPrivate} for signing releases.
     *
     * @throws IllegalArgumentException if it has no private part or is not on P-384/P-256
     */
    static KeyRelease.Signer signer(ECKey verifierSigningPrivate) {
        if (verifierSigningPrivate == null || !verifierSigningPrivate.isPrivate()
                || !ReleaseFormat.SIGNATURE_BY_CURVE.containsKey(verifierSigningPrivate.getCurve())) {
            throw new IllegalArgumentException("verifier signing key must be a private P-384 or P-256 key");
        }
        try {
            ECDSASigner jws = new ECDSASigner(EcCrypto.privateKey(verifierSigningPrivate.toECPrivateKey()));
            EcCrypto.use(jws.getJCAContext());
            return new KeyRelease.Signer(ReleaseFormat.SIGNATURE_BY_CURVE.get(verifierSigningPrivate.getCurve()),
                    ReleaseFormat.thumbprint(verifierSigningPrivate), jws);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("verifier signing key is not a usable EC private key: " + e.getMessage(), e);
        }
    }

    private static String encrypt(SecretBytes key, ECKey guestEphemeralPublic) {
        byte[] plaintext = key.copy();
        try {
            JWEHeader header = new JWEHeader.Builder(ReleaseFormat.KEY_WRAP, ReleaseFormat.CONTENT)
                    .keyID(ReleaseFormat.thumbprint(guestEphemeralPublic))
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
}
