package dev.cvmfde.protocol.token;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.protocol.cose.CoseAlgorithm;
import dev.cvmfde.protocol.cose.CoseVerification;
import java.security.PublicKey;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Public CCA tokens (see vectors/cca/SOURCE.md) decode and verify with their published keys. */
class PublicVectorsTest {

    @ParameterizedTest
    @CsvSource({
        "veraison-good-907.cbor, CMW_907, veraison-iak-p256.pub.jwk.json, ES256, COSE_KEY, SHA_512",
        "veraison-good-399.cbor, EAT_399, veraison-iak-p256.pub.jwk.json, ES256, COSE_KEY, SHA_512",
        "veraison-tfrmm-legacy-907.cbor, CMW_907, veraison-tfrmm-cpak-p384.pub.jwk.json, ES384, RAW_EC_POINT, SHA_256",
        "tfrmm-cca-token-399.cbor, EAT_399, tfrmm-cpak-p384.pub.pem, ES384, RAW_EC_POINT, SHA_256",
    })
    void decode_publicGoodToken_decodesVerifiesAndBinds(String file, CollectionForm form, String cpakFile,
            CoseAlgorithm platformAlg, RakEncoding rakEncoding, HashAlgorithm rakHash) throws Exception {
        UnverifiedCcaToken token = CcaTokenDecoder.decode(TestKeys.resource(file));
        PublicKey cpak = cpakFile.endsWith(".pem") ? TestKeys.pem(cpakFile) : TestKeys.jwk(cpakFile);

        assertEquals(form, token.form());
        UnverifiedPlatformToken platform = token.platform().orElseThrow();
        assertEquals(platformAlg, platform.envelope().algorithm());
        assertTrue(platform.envelope().verify(cpak).isValid(), () -> platform.envelope().verify(cpak).toString());

        RealmClaims realm = token.realm().unverifiedClaims();
        assertEquals(rakEncoding, realm.rak().encoding());
        assertEquals(rakHash, realm.rakHashAlgorithm());
        assertEquals(CoseAlgorithm.ES384, token.realm().envelope().algorithm());
        assertTrue(token.realm().envelope().verify(realm.rak().publicKey()).isValid());
        assertArrayEquals(realm.rakHashAlgorithm().digest(realm.rakClaimBytes()),
                platform.unverifiedClaims().challenge(), "platform challenge binds the RAK");
        assertEquals(RealmClaims.REM_COUNT, realm.rems().size());
        assertEquals(RealmPayloadForm.MAP, token.realm().payloadForm());
    }

    @Test
    void decode_veraisonGoodToken_rakEqualsPublishedRak() throws Exception {
        UnverifiedCcaToken token = CcaTokenDecoder.decode(TestKeys.resource("veraison-good-907.cbor"));
        PublicKey published = TestKeys.jwk("veraison-rak-p384.pub.jwk.json");

        assertArrayEquals(published.getEncoded(), token.realm().unverifiedClaims().rak().publicKey().getEncoded());
        assertEquals("tag:arm.com,2023:realm#1.0.0", token.realm().unverifiedClaims().profile().orElseThrow());
        assertEquals("tag:arm.com,2023:cca_platform#1.0.0", token.platform().orElseThrow().unverifiedClaims().profile());
    }

    @Test
    void verify_veraisonGoodTokenWithOtherIak_signatureInvalid() throws Exception {
        UnverifiedCcaToken token = CcaTokenDecoder.decode(TestKeys.resource("veraison-good-907.cbor"));

        CoseVerification v = token.platform().orElseThrow().envelope()
                .verify(TestKeys.jwk("veraison-alt-iak-p256.pub.jwk.json"));

        assertInstanceOf(CoseVerification.Invalid.class, v);
    }

    @Test
    void verify_tfRmmTokenWithVeraisonIak_wrongCurveInvalid() throws Exception {
        UnverifiedCcaToken token = CcaTokenDecoder.decode(TestKeys.resource("tfrmm-cca-token-399.cbor"));

        assertFalse(token.platform().orElseThrow().envelope()
                .verify(TestKeys.jwk("veraison-iak-p256.pub.jwk.json")).isValid());
    }

    @Test
    void decode_veraisonBadUnwrappedToken_wrongTypeAtPlatformEntry() {
        TokenDecodeException e = assertThrows(TokenDecodeException.class,
                () -> CcaTokenDecoder.decode(TestKeys.resource("veraison-bad-unwrapped-907.cbor")));

        assertEquals(TokenDecodeException.Failure.WRONG_TYPE, e.failure());
        assertTrue(e.where().contains("44234"), e.where());
    }

    @ParameterizedTest
    @CsvSource({
        "rust-cca-token-02.cbor, veraison-iak-p256.pub.jwk.json",
        "rust-cca-token-draft-ffm-00.cbor, tfrmm-cpak-p384.pub.pem",
    })
    void decode_rustCcatokenGoodToken_verifiesAndBinds(String file, String cpakFile) throws Exception {
        UnverifiedCcaToken token = CcaTokenDecoder.decode(TestKeys.resource(file));
        PublicKey cpak = cpakFile.endsWith(".pem") ? TestKeys.pem(cpakFile) : TestKeys.jwk(cpakFile);
        UnverifiedPlatformToken platform = token.platform().orElseThrow();
        RealmClaims realm = token.realm().unverifiedClaims();

        assertEquals(CollectionForm.EAT_399, token.form());
        assertTrue(platform.envelope().verify(cpak).isValid(), () -> platform.envelope().verify(cpak).toString());
        assertTrue(token.realm().envelope().verify(realm.rak().publicKey()).isValid(),
                () -> token.realm().envelope().verify(realm.rak().publicKey()).toString());
        assertArrayEquals(realm.rakHashAlgorithm().digest(realm.rakClaimBytes()), platform.unverifiedClaims().challenge());
    }

    @Test
    void verify_rustToken02WithPublishedBadAnchor_platformSignatureInvalid() throws Exception {
        UnverifiedCcaToken token = CcaTokenDecoder.decode(TestKeys.resource("rust-cca-token-02.cbor"));

        assertInstanceOf(CoseVerification.Invalid.class,
                token.platform().orElseThrow().envelope().verify(TestKeys.jwk("rust-ta-02-bad-p256.pub.jwk.json")));
    }

    /**
     * rust-ccatoken bug 33: the platform part is trustworthy, the realm part must fail. Its
     * signature is good under the RAK it carries, but that RAK is not the one the platform
     * challenge binds, so a verifier must refuse it at the binding stage.
     */
    @Test
    void verify_rustBug33Token_platformValidRakNotBound() throws Exception {
        UnverifiedCcaToken token = CcaTokenDecoder.decode(TestKeys.resource("rust-bug-33-repro.cbor"));
        RealmClaims realm = token.realm().unverifiedClaims();
        PlatformClaims platform = token.platform().orElseThrow().unverifiedClaims();

        assertTrue(token.platform().orElseThrow().envelope().verify(TestKeys.pem("tfrmm-cpak-p384.pub.pem")).isValid());
        boolean realmSignatureValid = token.realm().envelope().verify(realm.rak().publicKey()).isValid();
        boolean bound = java.util.Arrays.equals(realm.rakHashAlgorithm().digest(realm.rakClaimBytes()), platform.challenge());
        assertTrue(realmSignatureValid);
        assertFalse(bound);
    }
}
