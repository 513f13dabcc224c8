package dev.cvmfde.server.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.cvmfde.protocol.release.PinnedVerifierKey;
import dev.cvmfde.protocol.release.ReleaseCheck;
import dev.cvmfde.protocol.release.ReleaseOpener;
import dev.cvmfde.protocol.release.ReleaseRejectedException;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.WireLimits;
import java.text.ParseException;
import java.time.Clock;

/**
 * The {@code --insecure-accept-any-verifier} mode: opens a release without checking who signed
 * it. Rather than a second copy of the opener's checks, the received header and claims are
 * signed again with a throwaway key of the same curve and handed to {@link ReleaseOpener} with
 * that key pinned, so format, algorithm, nonce, key binding, expiry and decryption are checked
 * exactly as in the pinned mode; only the signature check is void.
 */
public final class InsecureReleaseOpener {

    private InsecureReleaseOpener() {
    }

    public static SecretBytes open(String jws, ECKey ephemeralPrivate, byte[] nonce, Clock clock)
            throws ReleaseRejectedException {
        if (jws == null || jws.length() > WireLimits.MAX_RELEASE_JWS_CHARS) {
            throw new ReleaseRejectedException(ReleaseCheck.FORMAT, "release must be a compact JWS of at most "
                    + WireLimits.MAX_RELEASE_JWS_CHARS + " characters");
        }
        JWSObject received;
        try {
            received = JWSObject.parse(jws);
        } catch (ParseException e) {
            throw new ReleaseRejectedException(ReleaseCheck.FORMAT, "release is not a compact JWS");
        }
        JWSAlgorithm alg = received.getHeader().getAlgorithm();
        Curve curve = JWSAlgorithm.ES384.equals(alg) ? Curve.P_384 : JWSAlgorithm.ES256.equals(alg) ? Curve.P_256 : null;
        if (curve == null) {
            throw new ReleaseRejectedException(ReleaseCheck.ALGORITHM, "expected alg ES384 or ES256, got " + alg);
        }
        try {
            ECKey throwaway = new ECKeyGenerator(curve).generate();
            JWSObject resigned = new JWSObject(received.getHeader(), received.getPayload());
            resigned.sign(new ECDSASigner(throwaway));
            return ReleaseOpener.open(resigned.serialize(), new PinnedVerifierKey(throwaway.toPublicJWK()),
                    ephemeralPrivate, nonce, clock);
        } catch (JOSEException e) {
            throw new IllegalStateException("EC signing is not available", e);
        }
    }
}
