package dev.cvmfde.protocol.release;

import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.cvmfde.protocol.crypto.EcCrypto;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.WireLimits;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.Map;

/**
 * Guest side: opens a release sealed by the verifier (attestation-client's {@code KeyRelease}),
 * making the checks of {@link ReleaseCheck} in order. The key comes out only if the JWS is by the pinned verifier key
 * with its algorithm, for this session's nonce and ephemeral key, within its validity, and the
 * JWE decrypts. Nothing from the release's own headers ({@code jwk}, {@code jku}, {@code x5c},
 * {@code kid}) chooses the verification key.
 */
public final class ReleaseOpener {
    /** Clock difference tolerated between verifier and guest on {@code iat} and {@code exp}. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(2);

    private ReleaseOpener() {
    }

    /** Opens {@code jws}; the caller closes the returned secret after use. */
    public static SecretBytes open(String jws, PinnedVerifierKey pinned, ECKey ephemeralPrivate, byte[] expectedNonce,
                                   Clock clock) throws ReleaseRejectedException {
        if (!ephemeralPrivate.isPrivate() || expectedNonce.length != WireLimits.NONCE_BYTES) {
            throw new IllegalArgumentException("ephemeral key must be private and the nonce 64 bytes");
        }
        SignedJWT jwt = parseAndVerify(jws, pinned);
        JWTClaimsSet claims = claims(jwt);
        checkNonce(claims, expectedNonce);
        checkKeyBinding(claims, ephemeralPrivate);
        checkValidity(claims, clock.instant());
        return decrypt(claims, ephemeralPrivate);
    }

    private static SignedJWT parseAndVerify(String jws, PinnedVerifierKey pinned) throws ReleaseRejectedException {
        if (jws == null || jws.length() > WireLimits.MAX_RELEASE_JWS_CHARS) {
            throw reject(ReleaseCheck.FORMAT, "release must be a compact JWS of at most "
                    + WireLimits.MAX_RELEASE_JWS_CHARS + " characters");
        }
        String[] parts = jws.split("\\.", -1);
        if (parts.length != 3) {
            throw reject(ReleaseCheck.FORMAT, "release must be a compact JWS (3 parts), got " + parts.length + " parts");
        }
        Header header;
        try {
            header = Header.parse(new Base64URL(parts[0]));
        } catch (ParseException e) {
            throw reject(ReleaseCheck.FORMAT, "JWS header is not valid: " + printable(e.getMessage()));
        }
        if (!(header instanceof JWSHeader jwsHeader) || !pinned.algorithm().equals(jwsHeader.getAlgorithm())) {
            throw reject(ReleaseCheck.ALGORITHM, "expected alg " + pinned.algorithm() + " (the pinned key's), got "
                    + header.getAlgorithm());
        }
        if (!ReleaseFormat.TYPE.equals(jwsHeader.getType())) {
            throw reject(ReleaseCheck.FORMAT, "expected typ " + ReleaseFormat.TYPE + ", got " + jwsHeader.getType());
        }
        if (jwsHeader.getCriticalParams() != null && !jwsHeader.getCriticalParams().isEmpty()) {
            throw reject(ReleaseCheck.FORMAT, "JWS header has critical parameters " + jwsHeader.getCriticalParams()
                    + "; none are understood");
        }
        try {
            SignedJWT jwt = SignedJWT.parse(jws);
            if (!jwt.verify(verifierFor(pinned))) {
                throw reject(ReleaseCheck.SIGNATURE, "release is not signed by the pinned verifier key "
                        + pinned.thumbprint() + " (the release names kid " + printable(jwsHeader.getKeyID()) + ")");
            }
            return jwt;
        } catch (ParseException e) {
            throw reject(ReleaseCheck.FORMAT, "release is not a valid JWS: " + printable(e.getMessage()));
        } catch (JOSEException e) {
            throw reject(ReleaseCheck.SIGNATURE, "signature could not be verified with the pinned key: " + printable(e.getMessage()));
        }
    }

    /** The last pinned key's prepared verifier (a guest pins one key; Nimbus verifiers are thread-safe). */
    private static volatile PreparedVerifier lastVerifier;

    private record PreparedVerifier(ECKey key, ECDSAVerifier verifier) {
    }

    private static ECDSAVerifier verifierFor(PinnedVerifierKey pinned) throws JOSEException {
        PreparedVerifier last = lastVerifier;
        if (last != null && last.key().equals(pinned.publicKey())) {
            return last.verifier();
        }
        ECDSAVerifier verifier = new ECDSAVerifier(EcCrypto.publicKey(pinned.publicKey().toECPublicKey()));
        EcCrypto.use(verifier.getJCAContext());
        lastVerifier = new PreparedVerifier(pinned.publicKey(), verifier);
        return verifier;
    }

    private static JWTClaimsSet claims(SignedJWT jwt) throws ReleaseRejectedException {
        try {
            return jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw reject(ReleaseCheck.FORMAT, "release payload is not a JSON claims set");
        }
    }

    private static void checkNonce(JWTClaimsSet claims, byte[] expectedNonce) throws ReleaseRejectedException {
        byte[] nonce = base64UrlClaim(claims.getClaim(ReleaseFormat.NONCE), ReleaseCheck.NONCE, "nonce");
        if (!MessageDigest.isEqual(nonce, expectedNonce)) {
            throw reject(ReleaseCheck.NONCE, "release is for another session: its nonce differs from this session's"
                    + " (a replayed release)");
        }
    }

    private static void checkKeyBinding(JWTClaimsSet claims, ECKey ephemeralPrivate) throws ReleaseRejectedException {
        Object cnf = claims.getClaim(ReleaseFormat.CONFIRMATION);
        Object jkt = cnf instanceof Map<?, ?> map ? map.get(ReleaseFormat.JWK_THUMBPRINT) : null;
        byte[] thumbprint = base64UrlClaim(jkt, ReleaseCheck.KEY_BINDING, "cnf.jkt");
        String ours = ReleaseFormat.thumbprint(ephemeralPrivate);
        if (!MessageDigest.isEqual(thumbprint, Base64.getUrlDecoder().decode(ours))) {
            throw reject(ReleaseCheck.KEY_BINDING, "release is for ephemeral key " + printable((String) jkt)
                    + ", this session's key is " + ours);
        }
    }

    private static void checkValidity(JWTClaimsSet claims, Instant now) throws ReleaseRejectedException {
        Date iat = claims.getIssueTime();
        Date exp = claims.getExpirationTime();
        if (iat == null || exp == null) {
            throw reject(ReleaseCheck.EXPIRY, "release must carry iat and exp");
        }
        Instant issued = iat.toInstant();
        Instant expires = exp.toInstant();
        if (Duration.between(issued, expires).compareTo(ReleaseFormat.MAX_LIFETIME) > 0 || expires.isBefore(issued)) {
            throw reject(ReleaseCheck.EXPIRY, "release claims validity from " + issued + " to " + expires
                    + "; at most " + ReleaseFormat.MAX_LIFETIME.toSeconds() + " s is allowed");
        }
        if (now.isAfter(expires.plus(MAX_CLOCK_SKEW))) {
            throw reject(ReleaseCheck.EXPIRY, "release expired at " + expires + "; now is " + now
                    + " (skew allowed " + MAX_CLOCK_SKEW.toSeconds() + " s)");
        }
        if (issued.isAfter(now.plus(MAX_CLOCK_SKEW))) {
            throw reject(ReleaseCheck.EXPIRY, "release issued at " + issued + ", in the future; now is " + now
                    + " (check the guest clock)");
        }
    }

    private static SecretBytes decrypt(JWTClaimsSet claims, ECKey ephemeralPrivate) throws ReleaseRejectedException {
        if (!(claims.getClaim(ReleaseFormat.ENCRYPTED_KEY) instanceof String compact)) {
            throw reject(ReleaseCheck.FORMAT, "release has no jwe claim");
        }
        JWEObject jwe;
        try {
            jwe = JWEObject.parse(compact);
        } catch (ParseException e) {
            throw reject(ReleaseCheck.FORMAT, "jwe claim is not a compact JWE: " + printable(e.getMessage()));
        }
        JWEHeader header = jwe.getHeader();
        if (!ReleaseFormat.KEY_WRAP.equals(header.getAlgorithm()) || !ReleaseFormat.CONTENT.equals(header.getEncryptionMethod())
                || header.getCompressionAlgorithm() != null) {
            throw reject(ReleaseCheck.ALGORITHM, "expected JWE " + ReleaseFormat.KEY_WRAP + "/" + ReleaseFormat.CONTENT
                    + " without compression, got " + header.getAlgorithm() + "/" + header.getEncryptionMethod());
        }
        try {
            ECDHDecrypter decrypter = new ECDHDecrypter(EcCrypto.privateKey(ephemeralPrivate.toECPrivateKey()));
            EcCrypto.use(decrypter.getJCAContext());
            jwe.decrypt(decrypter);
        } catch (JOSEException | RuntimeException e) {
            throw reject(ReleaseCheck.DECRYPTION, "the JWE does not decrypt with this session's ephemeral key");
        }
        byte[] plaintext = jwe.getPayload().toBytes();
        try {
            if (plaintext.length == 0) {
                throw reject(ReleaseCheck.DECRYPTION, "the JWE holds an empty key");
            }
            return SecretBytes.copyOf(plaintext);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private static byte[] base64UrlClaim(Object value, ReleaseCheck check, String name) throws ReleaseRejectedException {
        if (!(value instanceof String text)) {
            throw reject(check, "release has no " + name + " claim");
        }
        try {
            return Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw reject(check, name + " claim is not base64url");
        }
    }

    private static String printable(String peerText) {
        if (peerText == null) {
            return "(none)";
        }
        String cut = peerText.length() > 64 ? peerText.substring(0, 64) + "…" : peerText;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    private static ReleaseRejectedException reject(ReleaseCheck check, String message) {
        return new ReleaseRejectedException(check, message);
    }
}
