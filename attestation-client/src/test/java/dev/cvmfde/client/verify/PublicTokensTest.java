package dev.cvmfde.client.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Public CCA tokens (vectors/cca/SOURCE.md) verify with their published keys; published broken ones are refused. */
class PublicTokensTest {

    private static Appraisal appraise(String token, String anchor) throws Exception {
        return Verifier.appraise(EvidenceInput.builder(TestEvidence.resource(token), TestEvidence.anchorResource(anchor))
                .withoutFreshness().insecure(TestEvidence.TOKEN_ONLY).build());
    }

    @ParameterizedTest
    @CsvSource({
        "veraison-good-907.cbor, veraison-iak-p256.pub.jwk.json",
        "veraison-good-399.cbor, veraison-iak-p256.pub.jwk.json",
        "veraison-tfrmm-legacy-907.cbor, veraison-tfrmm-cpak-p384.pub.jwk.json",
        "tfrmm-cca-token-399.cbor, tfrmm-cpak-p384.pub.pem",
        "rust-cca-token-02.cbor, veraison-iak-p256.pub.jwk.json",
        "rust-cca-token-draft-ffm-00.cbor, tfrmm-cpak-p384.pub.pem",
    })
    void appraise_publicGoodToken_affirming(String token, String anchor) throws Exception {
        Appraisal a = appraise(token, anchor);

        assertInstanceOf(Affirming.class, a, () -> VerdictTable.render(a));
    }

    @ParameterizedTest
    @CsvSource({
        "veraison-good-907.cbor, veraison-alt-iak-p256.pub.jwk.json, PLATFORM_SIGNATURE",
        "tfrmm-cca-token-399.cbor, veraison-iak-p256.pub.jwk.json, PLATFORM_SIGNATURE",
        "rust-bug-33-repro.cbor, tfrmm-cpak-p384.pub.pem, BINDING",
        "veraison-bad-unwrapped-907.cbor, veraison-iak-p256.pub.jwk.json, DECODE",
    })
    void appraise_publishedBrokenCase_refusedAtItsStage(String token, String anchor, Stage stage) throws Exception {
        Appraisal a = appraise(token, anchor);

        Refused r = assertInstanceOf(Refused.class, a, () -> VerdictTable.render(a));
        assertEquals(java.util.List.of(stage), r.failedStages());
    }

    /**
     * rust-ccatoken's published wrong anchor for token 02 ({@code ta-02-bad.json}) is not even a
     * point on P-256: it is refused when loaded, before any token is looked at.
     */
    @Test
    void parse_rustPublishedBadAnchor_refusedAsNotOnCurve() {
        TrustAnchorException e = assertThrows(TrustAnchorException.class,
                () -> TestEvidence.anchorResource("rust-ta-02-bad-p256.pub.jwk.json"));
        assertTrue(e.getMessage().contains("curve"), e.getMessage());
    }
}
