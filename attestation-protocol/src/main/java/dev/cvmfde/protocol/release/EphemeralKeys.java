package dev.cvmfde.protocol.release;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

/**
 * The guest's ephemeral key pair: the release is encrypted to it and the evidence binds it
 * (see {@code ChallengeBinding}). Make one per connection, so that a release recorded in one
 * session names a thumbprint no later session has; it lives only in memory.
 */
public final class EphemeralKeys {
    /** Default curve: P-384, matching the verifier's signing key. */
    public static final Curve DEFAULT_CURVE = Curve.P_384;

    private EphemeralKeys() {
    }

    public static ECKey generate() {
        return generate(DEFAULT_CURVE);
    }

    /** A new key pair on P-256 or P-384. */
    public static ECKey generate(Curve curve) {
        if (!Curve.P_256.equals(curve) && !Curve.P_384.equals(curve)) {
            throw new IllegalArgumentException("ephemeral keys are P-256 or P-384, not " + curve);
        }
        try {
            return new ECKeyGenerator(curve).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("EC key generation is not available", e);
        }
    }
}
