package dev.cvmfde.client.release;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.client.verify.Affirming;
import dev.cvmfde.protocol.secret.SecretBytes;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The only way to turn a key into a release, in any module: it takes an {@link Affirming}
 * appraisal (which only the verifier can make), refuses one whose freshness was not checked or
 * whose verified challenge is not {@code SHA-512(nonce ‖ thumbprint(ephemeralKey))}, seals the key
 * to that ephemeral key (JWE inside the verifier's JWS, {@code ReleaseFormat}), and zeroizes the key
 * whatever happens. attestation-protocol has the format and the guest's opener but no sealer, so
 * "release without verify" cannot be written against this code base's API.
 */
public final class KeyRelease {
    /** Default validity of a release; the exchange takes milliseconds, this allows clock skew. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);

    private KeyRelease() {
    }

    /**
     * Prepares the verifier's signing key once (key parsing, JCA key, Nimbus signer) for a host that
     * seals many releases with it.
     *
     * @throws IllegalArgumentException if it has no private part or is not on P-384/P-256
     */
    public static Signer signer(ECKey verifierSigningPrivate) {
        return ReleaseEnvelope.signer(verifierSigningPrivate);
    }

    /**
     * @param key closed (zeroized) when this returns or throws
     * @return the compact JWS for the {@code release} message
     * @throws ReleaseException at step {@code BINDING} if the appraisal is not bound to
     *     {@code nonce} and {@code ephemeralKey}
     */
    public static String seal(Affirming affirming, byte[] nonce, ECKey ephemeralKey, SecretBytes key, ECKey signingKey)
            throws ReleaseException {
        try (key) {
            return seal(affirming, nonce, ephemeralKey, key, signer(signingKey));
        }
    }

    /** Like {@link #seal(Affirming, byte[], ECKey, SecretBytes, ECKey)} with a signer prepared once. */
    public static String seal(Affirming affirming, byte[] nonce, ECKey ephemeralKey, SecretBytes key, Signer signer)
            throws ReleaseException {
        return seal(affirming, nonce, ephemeralKey, key, signer, Clock.systemUTC(), DEFAULT_LIFETIME);
    }

    /** Like {@link #seal(Affirming, byte[], ECKey, SecretBytes, Signer)} with an explicit clock and validity. */
    public static String seal(Affirming affirming, byte[] nonce, ECKey ephemeralKey, SecretBytes key, Signer signer,
            Clock clock, Duration lifetime) throws ReleaseException {
        try (key) {
            Objects.requireNonNull(affirming, "affirming");
            Objects.requireNonNull(signer, "signer");
            if (!affirming.freshnessChecked()) {
                throw new ReleaseException(ReleaseException.Step.BINDING, false,
                        "the appraisal did not check freshness; a key is released only to evidence made for this session",
                        null);
            }
            if (!affirming.isBoundTo(nonce, ephemeralKey)) {
                throw new ReleaseException(ReleaseException.Step.BINDING, false,
                        "the verified realm challenge is not SHA-512(nonce ‖ thumbprint) of this session's nonce and "
                                + "the guest's ephemeral key; not releasing", null);
            }
            return ReleaseEnvelope.seal(key, ephemeralKey, nonce, signer, clock, lifetime);
        }
    }

    /** The verifier signing key, made ready once: algorithm, {@code kid}, JCA key and Nimbus signer. Thread-safe. */
    public static final class Signer {
        private final JWSAlgorithm algorithm;
        private final String keyId;
        private final ECDSASigner jws;

        Signer(JWSAlgorithm algorithm, String keyId, ECDSASigner jws) {
            this.algorithm = algorithm;
            this.keyId = keyId;
            this.jws = jws;
        }

        /** The key's RFC 7638 thumbprint (the JWS {@code kid}). */
        public String keyId() {
            return keyId;
        }

        JWSAlgorithm algorithm() {
            return algorithm;
        }

        ECDSASigner jws() {
            return jws;
        }

        @Override
        public String toString() {
            return "KeyRelease.Signer[" + algorithm + ", kid " + keyId + "]";
        }
    }
}
