package dev.cvmfde.protocol.release;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.crypto.EcCrypto;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;

/**
 * The guest's ephemeral key pair: the release is encrypted to it and the evidence binds it
 * (see {@code ChallengeBinding}), generated with {@link EcCrypto}'s provider. Make one per connection, so that a release recorded in one
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
            KeyPair pair = EcCrypto.generate(curve.getStdName());
            return new ECKey.Builder(curve, (ECPublicKey) pair.getPublic())
                    .privateKey((ECPrivateKey) pair.getPrivate()).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC key generation is not available", e);
        }
    }
}
