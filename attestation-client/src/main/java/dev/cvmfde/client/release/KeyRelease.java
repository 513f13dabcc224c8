package dev.cvmfde.client.release;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.client.verify.Affirming;
import dev.cvmfde.protocol.release.ReleaseSealer;
import dev.cvmfde.protocol.secret.SecretBytes;
import java.util.Objects;

/**
 * The only way this module turns a key into a release: it takes an {@link Affirming} appraisal
 * (which only the verifier can make), refuses one whose freshness was not checked or whose
 * verified challenge is not {@code SHA-512(nonce ‖ thumbprint(ephemeralKey))}, seals the key to
 * that ephemeral key with {@link ReleaseSealer}, and zeroizes the key whatever happens.
 */
public final class KeyRelease {
    private KeyRelease() {
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
            return seal(affirming, nonce, ephemeralKey, key, ReleaseSealer.signer(signingKey));
        }
    }

    /** Like {@link #seal(Affirming, byte[], ECKey, SecretBytes, ECKey)} with a signer prepared once. */
    public static String seal(Affirming affirming, byte[] nonce, ECKey ephemeralKey, SecretBytes key,
            ReleaseSealer.Signer signer) throws ReleaseException {
        try (key) {
            Objects.requireNonNull(affirming, "affirming");
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
            return ReleaseSealer.seal(key, ephemeralKey, nonce, signer);
        }
    }
}
