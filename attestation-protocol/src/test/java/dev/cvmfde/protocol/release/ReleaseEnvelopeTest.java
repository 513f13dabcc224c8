package dev.cvmfde.protocol.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.cvmfde.protocol.secret.KeyFile;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.MessageJson;
import dev.cvmfde.protocol.wire.Release;
import dev.cvmfde.protocol.wire.WireLimits;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ReleaseEnvelopeTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Instant NOW = Instant.parse("2026-11-23T08:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private final ECKey verifier = VerifierKeys.generate();
    private final PinnedVerifierKey pinned = new PinnedVerifierKey(verifier.toPublicJWK());
    private final ECKey ephemeral = EphemeralKeys.generate();
    private final byte[] nonce = random(64);
    private final SecretBytes key = SecretBytes.takeOwnership(random(32));

    private static byte[] random(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private String seal() {
        return TestReleases.seal(key, ephemeral.toPublicJWK(), nonce, verifier, CLOCK, TestReleases.DEFAULT_LIFETIME);
    }

    private ReleaseCheck rejectedAt(String jws) {
        return rejectedAt(jws, CLOCK);
    }

    private ReleaseCheck rejectedAt(String jws, Clock clock) {
        ReleaseRejectedException e = assertThrows(ReleaseRejectedException.class,
                () -> ReleaseOpener.open(jws, pinned, ephemeral, nonce, clock));
        assertNoKeyIn(e.getMessage());
        return e.check();
    }

    @Test
    void open_sealedRelease_returnsTheKey() throws Exception {
        try (SecretBytes opened = ReleaseOpener.open(seal(), pinned, ephemeral, nonce, CLOCK)) {
            assertTrue(opened.sameAs(key));
        }
    }

    @Test
    void open_p256VerifierAndGuestKeys_returnsTheKey() throws Exception {
        ECKey verifier256 = EphemeralKeys.generate(Curve.P_256);
        ECKey guest256 = EphemeralKeys.generate(Curve.P_256);
        String jws = TestReleases.seal(key, guest256.toPublicJWK(), nonce, verifier256);
        assertEquals(JWSAlgorithm.ES256, SignedJWT.parse(jws).getHeader().getAlgorithm());
        try (SecretBytes opened = ReleaseOpener.open(jws, new PinnedVerifierKey(verifier256.toPublicJWK()), guest256,
                nonce, Clock.systemUTC())) {
            assertTrue(opened.sameAs(key));
        }
    }

    @Test
    void seal_largestKeyFile_fitsReleaseMessage() throws Exception {
        SecretBytes big = SecretBytes.takeOwnership(random(KeyFile.MAX_KEY_FILE_BYTES));
        String jws = TestReleases.seal(big, ephemeral.toPublicJWK(), nonce, verifier);
        assertTrue(MessageJson.encode(new Release(jws)).length <= WireLimits.MAX_RELEASE_FRAME_BYTES);
    }

    @Test
    void seal_outputHeaders_es384AndEcdhEs() throws Exception {
        SignedJWT jwt = SignedJWT.parse(seal());
        assertEquals(JWSAlgorithm.ES384, jwt.getHeader().getAlgorithm());
        JWEObject jwe = JWEObject.parse((String) jwt.getJWTClaimsSet().getClaim("jwe"));
        assertEquals(JWEAlgorithm.ECDH_ES_A256KW, jwe.getHeader().getAlgorithm());
        assertEquals(EncryptionMethod.A256GCM, jwe.getHeader().getEncryptionMethod());
    }

    @Test
    void open_releaseFromEarlierSession_nonceCheckFails() {
        String earlier = TestReleases.seal(key, ephemeral.toPublicJWK(), random(64), verifier, CLOCK,
                TestReleases.DEFAULT_LIFETIME);
        assertEquals(ReleaseCheck.NONCE, rejectedAt(earlier));
    }

    @Test
    void open_releaseEncryptedToSwappedEphemeralKey_keyBindingCheckFails() {
        ECKey relayKey = EphemeralKeys.generate();
        String toRelay = TestReleases.seal(key, relayKey.toPublicJWK(), nonce, verifier, CLOCK,
                TestReleases.DEFAULT_LIFETIME);
        assertEquals(ReleaseCheck.KEY_BINDING, rejectedAt(toRelay));
    }

    @Test
    void open_signedByUnpinnedKey_signatureCheckFails() {
        String forged = TestReleases.seal(key, ephemeral.toPublicJWK(), nonce, VerifierKeys.generate(), CLOCK,
                TestReleases.DEFAULT_LIFETIME);
        assertEquals(ReleaseCheck.SIGNATURE, rejectedAt(forged));
    }

    @Test
    void open_preparedSigner_returnsTheKeyAndNamesItsThumbprint() throws Exception {
        TestReleases.Signer signer = TestReleases.signer(verifier);
        assertEquals(pinned.thumbprint(), signer.keyId());
        String jws = TestReleases.seal(key, ephemeral.toPublicJWK(), nonce, signer, CLOCK, TestReleases.DEFAULT_LIFETIME);
        assertEquals(pinned.thumbprint(), SignedJWT.parse(jws).getHeader().getKeyID());
        try (SecretBytes opened = ReleaseOpener.open(jws, pinned, ephemeral, nonce, CLOCK)) {
            assertTrue(opened.sameAs(key));
        }
    }

    @Test
    void open_afterAnOpenWithAnotherPinnedKey_onlyThePinnedKeyIsAccepted() throws Exception {
        // The opener keeps the last pinned key's prepared verifier: it must never serve it for another key.
        ECKey other = VerifierKeys.generate();
        PinnedVerifierKey otherPinned = new PinnedVerifierKey(other.toPublicJWK());
        String byOther = TestReleases.seal(key, ephemeral.toPublicJWK(), nonce, other, CLOCK,
                TestReleases.DEFAULT_LIFETIME);
        ReleaseOpener.open(byOther, otherPinned, ephemeral, nonce, CLOCK).close();
        assertEquals(ReleaseCheck.SIGNATURE, rejectedAt(byOther));
        ReleaseOpener.open(seal(), pinned, ephemeral, nonce, CLOCK).close();
        ReleaseRejectedException e = assertThrows(ReleaseRejectedException.class,
                () -> ReleaseOpener.open(seal(), otherPinned, ephemeral, nonce, CLOCK));
        assertEquals(ReleaseCheck.SIGNATURE, e.check());
    }

    @Test
    void open_algNoneForgery_algorithmCheckFails() {
        String[] parts = seal().split("\\.");
        String none = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"cvmfde-release+jwt\"}") + "." + parts[1] + ".";
        assertEquals(ReleaseCheck.ALGORITHM, rejectedAt(none));
    }

    @Test
    void open_hs256WithPublicKeyAsSecret_algorithmCheckFails() throws Exception {
        SignedJWT original = SignedJWT.parse(seal());
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256)
                .type(new JOSEObjectType("cvmfde-release+jwt")).build(), original.getJWTClaimsSet());
        byte[] secret = (pinned.publicKey().toJSONString() + pinned.publicKey().toJSONString())
                .getBytes(StandardCharsets.UTF_8);
        forged.sign(new MACSigner(secret));
        assertEquals(ReleaseCheck.ALGORITHM, rejectedAt(forged.serialize()));
    }

    @Test
    void open_es256FromP384PinnedKey_algorithmCheckFails() throws Exception {
        SignedJWT original = SignedJWT.parse(seal());
        ECKey p256 = EphemeralKeys.generate(Curve.P_256);
        assertEquals(ReleaseCheck.ALGORITHM, rejectedAt(signWith(p256, JWSAlgorithm.ES256, original.getJWTClaimsSet(),
                "cvmfde-release+jwt")));
    }

    @Test
    void open_payloadChangedAfterSigning_signatureCheckFails() throws Exception {
        String[] parts = seal().split("\\.");
        JWTClaimsSet claims = SignedJWT.parse(seal()).getJWTClaimsSet();
        String otherJwe = flipCiphertext((String) claims.getClaim("jwe"));
        JWTClaimsSet tampered = new JWTClaimsSet.Builder(claims).claim("jwe", otherJwe).build();
        String jws = parts[0] + "." + Base64URL.encode(tampered.toString()) + "." + parts[2];
        assertEquals(ReleaseCheck.SIGNATURE, rejectedAt(jws));
    }

    @Test
    void open_tamperedJweSignedByVerifier_decryptionCheckFails() throws Exception {
        JWTClaimsSet claims = SignedJWT.parse(seal()).getJWTClaimsSet();
        JWTClaimsSet tampered = new JWTClaimsSet.Builder(claims)
                .claim("jwe", flipCiphertext((String) claims.getClaim("jwe"))).build();
        assertEquals(ReleaseCheck.DECRYPTION, rejectedAt(signWith(verifier, JWSAlgorithm.ES384, tampered,
                "cvmfde-release+jwt")));
    }

    @Test
    void open_jweWithOtherAlgorithm_algorithmCheckFails() throws Exception {
        JWTClaimsSet claims = SignedJWT.parse(seal()).getJWTClaimsSet();
        JWEObject direct = new JWEObject(new JWEHeader(JWEAlgorithm.ECDH_ES, EncryptionMethod.A256GCM),
                new Payload(random(32)));
        direct.encrypt(new ECDHEncrypter(ephemeral.toPublicJWK()));
        JWTClaimsSet other = new JWTClaimsSet.Builder(claims).claim("jwe", direct.serialize()).build();
        assertEquals(ReleaseCheck.ALGORITHM, rejectedAt(signWith(verifier, JWSAlgorithm.ES384, other,
                "cvmfde-release+jwt")));
    }

    @Test
    void open_otherJwtTypeSignedByVerifier_formatCheckFails() throws Exception {
        JWTClaimsSet claims = SignedJWT.parse(seal()).getJWTClaimsSet();
        assertEquals(ReleaseCheck.FORMAT, rejectedAt(signWith(verifier, JWSAlgorithm.ES384, claims, "JWT")));
    }

    @Test
    void open_afterExpiryAndSkew_expiryCheckFails() {
        Clock late = Clock.offset(CLOCK, TestReleases.DEFAULT_LIFETIME.plus(ReleaseOpener.MAX_CLOCK_SKEW)
                .plusSeconds(1));
        assertEquals(ReleaseCheck.EXPIRY, rejectedAt(seal(), late));
    }

    @Test
    void open_withinSkewAfterExpiry_opens() throws Exception {
        Clock late = Clock.offset(CLOCK, TestReleases.DEFAULT_LIFETIME.plusSeconds(30));
        ReleaseOpener.open(seal(), pinned, ephemeral, nonce, late).close();
    }

    @Test
    void open_issuedInTheFuture_expiryCheckFails() {
        Clock early = Clock.offset(CLOCK, ReleaseOpener.MAX_CLOCK_SKEW.plusSeconds(5).negated());
        assertEquals(ReleaseCheck.EXPIRY, rejectedAt(seal(), early));
    }

    @Test
    void open_lifetimeOverLimitSignedByVerifier_expiryCheckFails() throws Exception {
        JWTClaimsSet claims = SignedJWT.parse(seal()).getJWTClaimsSet();
        JWTClaimsSet longLived = new JWTClaimsSet.Builder(claims)
                .expirationTime(java.util.Date.from(NOW.plus(Duration.ofDays(365)))).build();
        assertEquals(ReleaseCheck.EXPIRY, rejectedAt(signWith(verifier, JWSAlgorithm.ES384, longLived,
                "cvmfde-release+jwt")));
    }

    @Test
    void open_notAJws_formatCheckFails() {
        assertEquals(ReleaseCheck.FORMAT, rejectedAt("garbage"));
        assertEquals(ReleaseCheck.FORMAT, rejectedAt("a.b.c.d.e"));
        assertEquals(ReleaseCheck.FORMAT, rejectedAt("x".repeat(WireLimits.MAX_RELEASE_JWS_CHARS + 1)));
    }

    @Test
    void seal_badInputs_refused() {
        ECKey guest = ephemeral.toPublicJWK();
        assertThrows(IllegalArgumentException.class, () -> TestReleases.seal(key, guest, new byte[32], verifier));
        assertThrows(IllegalArgumentException.class, () -> TestReleases.seal(key, ephemeral, nonce, verifier));
        assertThrows(IllegalArgumentException.class,
                () -> TestReleases.seal(key, guest, nonce, verifier.toPublicJWK()));
        assertThrows(IllegalArgumentException.class, () -> TestReleases.seal(key, guest, nonce, verifier, CLOCK,
                Duration.ofHours(1)));
    }

    @Test
    void seal_releaseText_doesNotContainTheKey() {
        assertNoKeyIn(seal());
    }

    private static String signWith(ECKey signer, JWSAlgorithm alg, JWTClaimsSet claims, String typ) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).type(new JOSEObjectType(typ)).build(), claims);
        jwt.sign(new ECDSASigner(signer));
        return jwt.serialize();
    }

    private static String flipCiphertext(String compactJwe) {
        String[] parts = compactJwe.split("\\.");
        byte[] ciphertext = Base64.getUrlDecoder().decode(parts[3]);
        ciphertext[0] ^= 1;
        parts[3] = Base64.getUrlEncoder().withoutPadding().encodeToString(ciphertext);
        return String.join(".", parts);
    }

    private void assertNoKeyIn(String text) {
        key.use(bytes -> {
            for (String form : KeyForms.of(bytes)) {
                assertFalse(text.contains(form), "key (as " + form.length() + " characters) found in output");
            }
            return null;
        });
        assertFalse(text.contains(HexFormat.of().formatHex(key.copy()).substring(0, 16)));
    }
}
