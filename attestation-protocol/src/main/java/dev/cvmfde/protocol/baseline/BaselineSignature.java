package dev.cvmfde.protocol.baseline;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import java.text.ParseException;
import java.util.Map;
import java.util.Objects;

/**
 * Signs and checks {@code hash.json.jws}: a compact JWS (RFC 7515 Appendix F, detached
 * content) over the exact bytes of a hash.json, {@code <header>..<signature>}. The image builder
 * signs; the verifier checks before it uses the baseline. ES256 for a P-256 key, ES384 for
 * P-384; the algorithm must be the key's, {@code typ} must be {@value #TYPE}, and no header may
 * choose the key ({@code jwk}, {@code jku}, {@code x5c}, {@code x5u}) or add {@code crit}.
 */
public final class BaselineSignature {
    /** Longest {@code hash.json.jws} accepted (a real one is about 250 characters). */
    public static final int MAX_JWS_CHARS = 8 * 1024;
    /** The JWS {@code typ} of a baseline signature. */
    public static final String TYPE = "cvmfde-baseline+jws";
    /** File-name suffix of the signature beside its hash.json. */
    public static final String FILE_SUFFIX = ".jws";

    private static final Map<Curve, JWSAlgorithm> ALG_BY_CURVE =
            Map.of(Curve.P_256, JWSAlgorithm.ES256, Curve.P_384, JWSAlgorithm.ES384);

    /** The outcome of checking a baseline signature; {@link Invalid} says why. */
    public sealed interface Verification {
        /** True only for {@link Valid}. */
        default boolean isValid() {
            return this instanceof Valid;
        }
    }

    /** The signature is by the given key over exactly these bytes. */
    public record Valid(JWSAlgorithm algorithm, String keyId) implements Verification {
    }

    /** The signature does not hold; {@code reason} names the failed check (never key material). */
    public record Invalid(String reason) implements Verification {
    }

    private BaselineSignature() {
    }

    /** A detached compact JWS over {@code hashJson}, signed by the private EC key {@code signer}. */
    public static String sign(byte[] hashJson, ECKey signer) throws JOSEException {
        Objects.requireNonNull(hashJson, "hashJson");
        if (!signer.isPrivate()) {
            throw new IllegalArgumentException("baseline signing key has no private part (d)");
        }
        JWSAlgorithm alg = algorithmFor(signer);
        JWSHeader header = new JWSHeader.Builder(alg).type(new com.nimbusds.jose.JOSEObjectType(TYPE))
                .keyID(signer.computeThumbprint().toString()).build();
        JWSObject jws = new JWSObject(header, new Payload(hashJson.clone()));
        jws.sign(new ECDSASigner(signer));
        return jws.serialize(true);
    }

    /** Checks that {@code detachedJws} is {@code signer}'s signature over exactly {@code hashJson}. */
    public static Verification verify(byte[] hashJson, String detachedJws, ECKey signer) {
        Objects.requireNonNull(hashJson, "hashJson");
        Objects.requireNonNull(signer, "signer");
        if (detachedJws == null || detachedJws.length() > MAX_JWS_CHARS) {
            return new Invalid("signature is " + (detachedJws == null ? "absent" : detachedJws.length()
                    + " characters; at most MAX_JWS_CHARS=" + MAX_JWS_CHARS + " are allowed"));
        }
        String s = detachedJws.strip();
        String[] parts = s.split("\\.", -1);
        if (parts.length != 3 || !parts[1].isEmpty()) {
            return new Invalid("expected a detached compact JWS <header>..<signature>; got " + (parts.length == 3
                    ? "an attached payload" : parts.length + " dot-separated parts"));
        }
        JWSAlgorithm expected = ALG_BY_CURVE.get(signer.getCurve());
        if (expected == null) {
            return new Invalid("signer key is on " + signer.getCurve() + "; P-256 or P-384 is required");
        }
        JWSObject jws;
        try {
            jws = new JWSObject(new Base64URL(parts[0]), Base64URL.encode(hashJson), new Base64URL(parts[2]));
        } catch (ParseException e) {
            return new Invalid("malformed JWS: " + e.getMessage());
        }
        JWSHeader h = jws.getHeader();
        if (!expected.equals(h.getAlgorithm())) {
            return new Invalid("algorithm " + h.getAlgorithm() + "; the signer key allows only " + expected);
        }
        if (h.getType() == null || !TYPE.equals(h.getType().getType())) {
            return new Invalid("typ " + h.getType() + "; expected " + TYPE);
        }
        if (h.getCriticalParams() != null || h.getJWK() != null || h.getJWKURL() != null
                || h.getX509CertChain() != null || h.getX509CertURL() != null) {
            return new Invalid("header carries crit, jwk, jku, x5c or x5u; none is allowed");
        }
        try {
            if (!jws.verify(new ECDSAVerifier(signer.toPublicJWK()))) {
                return new Invalid(expected + " signature does not verify with the baseline signer key over these "
                        + hashJson.length + " bytes of hash.json");
            }
        } catch (JOSEException e) {
            return new Invalid("signature check failed: " + e.getMessage());
        }
        return new Valid(expected, h.getKeyID() == null ? "" : h.getKeyID());
    }

    private static JWSAlgorithm algorithmFor(ECKey key) {
        JWSAlgorithm alg = ALG_BY_CURVE.get(key.getCurve());
        if (alg == null) {
            throw new IllegalArgumentException("baseline signing key is on " + key.getCurve()
                    + "; P-256 or P-384 is required");
        }
        return alg;
    }
}
