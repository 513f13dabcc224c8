package dev.cvmfde.protocol.token;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.protocol.cose.CoseAlgorithm;
import dev.cvmfde.protocol.cose.CoseVerification;
import dev.cvmfde.protocol.cose.SignatureEncoding;
import java.security.KeyPair;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every form the builder writes decodes back to the same claims, and both signatures verify. */
class CcaTokenRoundTripTest {

    @ParameterizedTest
    @CsvSource({
        "EAT_399, secp256r1, ES256, secp384r1, ES384, RAW_EC_POINT, RAW",
        "CMW_907, secp256r1, ES256, secp384r1, ES384, COSE_KEY, RAW",
        "CMW_907, secp384r1, ES384, secp384r1, ES384, RAW_EC_POINT, RAW",
        "EAT_399, secp521r1, ES512, secp521r1, ES512, RAW_EC_POINT, DER",
        "CMW_907, secp521r1, ES512, secp256r1, ES256, COSE_KEY, DER",
        "EAT_399, secp384r1, ES384, secp521r1, ES512, DER_SPKI, RAW",
    })
    void build_thenDecode_sameClaimsAndSignaturesVerify(CollectionForm form, String platformCurve,
            CoseAlgorithm platformAlg, String rakCurve, CoseAlgorithm rakAlg, RakEncoding rakEncoding,
            SignatureEncoding sigEncoding) throws Exception {
        KeyPair cpak = TestKeys.ec(platformCurve);
        KeyPair rak = TestKeys.ec(rakCurve);
        RealmClaims realm = TestKeys.realmClaims(RealmAttestationKey.of(rak.getPublic(), rakEncoding),
                Optional.of("tag:arm.com,2023:realm#1.0.0"));

        byte[] token = CcaTokenBuilder.of(form).realm(realm, rakAlg, rak)
                .platform(TestKeys.platformClaims(), platformAlg, cpak).signatureEncoding(sigEncoding).build();
        UnverifiedCcaToken decoded = CcaTokenDecoder.decode(token);

        assertEquals(form, decoded.form());
        assertRealmEquals(realm, decoded.realm().unverifiedClaims());
        PlatformClaims p = decoded.platform().orElseThrow().unverifiedClaims();
        assertPlatformEquals(TestKeys.platformClaims().withChallenge(p.challenge()), p);
        assertArrayEquals(realm.rakHashAlgorithm().digest(realm.rakClaimBytes()), p.challenge());
        assertEquals(new CoseVerification.Valid(platformAlg, sigEncoding),
                decoded.platform().orElseThrow().envelope().verify(cpak.getPublic()));
        assertEquals(new CoseVerification.Valid(rakAlg, sigEncoding),
                decoded.realm().envelope().verify(decoded.realm().unverifiedClaims().rak().publicKey()));
        assertArrayEquals(token, decoded.encoded());
    }

    @Test
    void build_signedPlatformAndJcaProvider_platformTokenReusedBoundToRakAndBothVerify() throws Exception {
        KeyPair cpak = TestKeys.ec("secp384r1");
        KeyPair rak = TestKeys.ec("secp384r1");
        RealmClaims realm = TestKeys.realmClaims(RealmAttestationKey.of(rak.getPublic(), RakEncoding.COSE_KEY),
                Optional.empty());
        java.security.Provider jdk = java.security.Security.getProvider("SunEC");
        dev.cvmfde.protocol.cose.CoseSign1 platform = CcaTokenBuilder.of(CollectionForm.EAT_399)
                .realm(realm, CoseAlgorithm.ES384, rak).platform(TestKeys.platformClaims(), CoseAlgorithm.ES384, cpak)
                .signingProvider(jdk).buildPlatform();

        byte[] first = CcaTokenBuilder.of(CollectionForm.EAT_399).realm(realm, CoseAlgorithm.ES384, rak)
                .signedPlatform(platform).signingProvider(jdk).build();
        byte[] second = CcaTokenBuilder.of(CollectionForm.EAT_399).realm(realm, CoseAlgorithm.ES384, rak)
                .signedPlatform(platform).signingProvider(jdk).build();

        for (byte[] token : new byte[][] {first, second}) {
            UnverifiedCcaToken decoded = CcaTokenDecoder.decode(token);
            UnverifiedPlatformToken p = decoded.platform().orElseThrow();
            assertArrayEquals(platform.encoded(), p.envelope().encoded());
            assertArrayEquals(realm.rakHashAlgorithm().digest(realm.rakClaimBytes()), p.unverifiedClaims().challenge());
            assertEquals(new CoseVerification.Valid(CoseAlgorithm.ES384, SignatureEncoding.RAW),
                    p.envelope().verify(cpak.getPublic()));
            assertEquals(new CoseVerification.Valid(CoseAlgorithm.ES384, SignatureEncoding.RAW),
                    decoded.realm().envelope().verify(rak.getPublic()));
        }
        // ECDSA is randomized: a fresh realm signature each time, the same platform token
        assertTrue(!java.util.Arrays.equals(first, second));
    }

    @Test
    void build_virtCcaCvmOnlyRsaRakWrappedPayload_decodesAndVerifies() throws Exception {
        KeyPair rak = TestKeys.rsa(2048);
        RealmClaims realm = TestKeys.realmClaims(RealmAttestationKey.of(rak.getPublic(), RakEncoding.DER_SPKI),
                Optional.empty());

        byte[] token = CcaTokenBuilder.of(CollectionForm.EAT_399).realm(realm, CoseAlgorithm.PS256, rak)
                .realmPayloadForm(RealmPayloadForm.BSTR_WRAPPED).build();
        UnverifiedCcaToken decoded = CcaTokenDecoder.decode(token);

        assertTrue(decoded.platform().isEmpty());
        assertEquals(RealmPayloadForm.BSTR_WRAPPED, decoded.realm().payloadForm());
        assertRealmEquals(realm, decoded.realm().unverifiedClaims());
        assertEquals(new CoseVerification.Valid(CoseAlgorithm.PS256, SignatureEncoding.RAW),
                decoded.realm().envelope().verify(rak.getPublic()));
    }

    @Test
    void build_virtCcaFullP521DerWrapped_decodesAndVerifies() throws Exception {
        KeyPair cpak = TestKeys.ec("secp521r1");
        KeyPair rak = TestKeys.ec("secp521r1");
        RealmClaims realm = TestKeys.realmClaims(RealmAttestationKey.of(rak.getPublic(), RakEncoding.RAW_EC_POINT),
                Optional.empty());

        byte[] token = CcaTokenBuilder.of(CollectionForm.EAT_399).realm(realm, CoseAlgorithm.ES512, rak)
                .platform(TestKeys.platformClaims(), CoseAlgorithm.ES512, cpak)
                .realmPayloadForm(RealmPayloadForm.BSTR_WRAPPED).signatureEncoding(SignatureEncoding.DER).build();
        UnverifiedCcaToken decoded = CcaTokenDecoder.decode(token);

        assertEquals(133, decoded.realm().unverifiedClaims().rakClaimBytes().length);
        assertTrue(decoded.platform().orElseThrow().envelope().verify(cpak.getPublic()).isValid());
        assertTrue(decoded.realm().envelope().verify(rak.getPublic()).isValid());
    }

    @Test
    void build_challengeOverride_platformChallengeNotBound() throws Exception {
        KeyPair k = TestKeys.ec("secp384r1");
        RealmClaims realm = TestKeys.realmClaims(RealmAttestationKey.of(k.getPublic(), RakEncoding.RAW_EC_POINT),
                Optional.empty());

        byte[] token = CcaTokenBuilder.of(CollectionForm.CMW_907).realm(realm, CoseAlgorithm.ES384, k)
                .platform(TestKeys.platformClaims(), CoseAlgorithm.ES384, k)
                .platformChallengeOverride(TestKeys.fill(32, 9)).build();

        assertArrayEquals(TestKeys.fill(32, 9),
                CcaTokenDecoder.decode(token).platform().orElseThrow().unverifiedClaims().challenge());
    }

    @Test
    void decode_inputArray_notModifiedAndClaimsAreCopies() throws Exception {
        byte[] token = TestKeys.resource("veraison-good-907.cbor");
        byte[] before = token.clone();

        UnverifiedCcaToken decoded = CcaTokenDecoder.decode(token);
        token[100] ^= 1;
        decoded.realm().unverifiedClaims().challenge()[0] ^= 1;
        decoded.realm().unverifiedClaims().rems().get(0)[0] ^= 1;

        token[100] ^= 1;
        assertArrayEquals(before, token);
        assertArrayEquals(before, decoded.encoded());
        assertEquals('A', decoded.realm().unverifiedClaims().challenge()[0]);
        assertEquals('C', decoded.realm().unverifiedClaims().rems().get(0)[0]);
    }

    static void assertRealmEquals(RealmClaims want, RealmClaims got) {
        assertEquals(want.profile(), got.profile());
        assertArrayEquals(want.challenge(), got.challenge());
        assertArrayEquals(want.personalizationValue(), got.personalizationValue());
        assertEquals(want.hashAlgorithm(), got.hashAlgorithm());
        assertArrayEquals(want.rakClaimBytes(), got.rakClaimBytes());
        assertEquals(want.rak().encoding(), got.rak().encoding());
        assertArrayEquals(want.rak().publicKey().getEncoded(), got.rak().publicKey().getEncoded());
        assertArrayEquals(want.rim(), got.rim());
        for (int i = 0; i < RealmClaims.REM_COUNT; i++) {
            assertArrayEquals(want.rems().get(i), got.rems().get(i));
        }
        assertEquals(want.rakHashAlgorithm(), got.rakHashAlgorithm());
    }

    static void assertPlatformEquals(PlatformClaims want, PlatformClaims got) {
        assertEquals(want.profile(), got.profile());
        assertArrayEquals(want.challenge(), got.challenge());
        assertArrayEquals(want.implementationId(), got.implementationId());
        assertArrayEquals(want.instanceId(), got.instanceId());
        assertArrayEquals(want.config(), got.config());
        assertEquals(want.lifecycle(), got.lifecycle());
        assertEquals(want.softwareComponents().size(), got.softwareComponents().size());
        for (int i = 0; i < want.softwareComponents().size(); i++) {
            SoftwareComponent a = want.softwareComponents().get(i), b = got.softwareComponents().get(i);
            assertEquals(a.measurementType(), b.measurementType());
            assertArrayEquals(a.measurementValue(), b.measurementValue());
            assertEquals(a.version(), b.version());
            assertArrayEquals(a.signerId(), b.signerId());
            assertEquals(a.hashAlgorithm(), b.hashAlgorithm());
        }
        assertEquals(want.verificationService(), got.verificationService());
        assertEquals(want.hashAlgorithm(), got.hashAlgorithm());
    }
}
