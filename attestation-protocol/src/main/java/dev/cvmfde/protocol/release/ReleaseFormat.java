package dev.cvmfde.protocol.release;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.wire.ChallengeBinding;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * The release format: header values, claim names, curves, limits. The guest's {@link ReleaseOpener}
 * checks it; the verifier's sealer ({@code KeyRelease} in attestation-client, which takes only an
 * affirming appraisal) writes it. This module has no sealer of its own: nothing here can make a
 * release without a verified appraisal.
 */
public final class ReleaseFormat {
    private ReleaseFormat() {
    }

    /** JWS {@code typ}: keeps other JWTs signed by the same key from being taken as a release. */
    public static final JOSEObjectType TYPE = new JOSEObjectType("cvmfde-release+jwt");
    public static final JWEAlgorithm KEY_WRAP = JWEAlgorithm.ECDH_ES_A256KW;
    public static final EncryptionMethod CONTENT = EncryptionMethod.A256GCM;
    /** Signature algorithm by signing-key curve: the only algorithms ever emitted or accepted. */
    public static final Map<Curve, JWSAlgorithm> SIGNATURE_BY_CURVE = Map.of(
            Curve.P_384, JWSAlgorithm.ES384,
            Curve.P_256, JWSAlgorithm.ES256);

    /** Claim: the session nonce, unpadded base64url. */
    public static final String NONCE = "nonce";
    /** Claim (RFC 7800 confirmation): {@code {"jkt": thumbprint}} of the guest's ephemeral key. */
    public static final String CONFIRMATION = "cnf";
    public static final String JWK_THUMBPRINT = "jkt";
    /** Claim: the compact JWE holding the key. */
    public static final String ENCRYPTED_KEY = "jwe";

    /** Longest validity a release may claim ({@code exp - iat}). */
    public static final Duration MAX_LIFETIME = Duration.ofMinutes(5);

    /** {@code key}'s RFC 7638 thumbprint, unpadded base64url: the {@code kid} and {@code cnf.jkt} values. */
    public static String thumbprint(ECKey key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(ChallengeBinding.thumbprint(key));
    }
}
