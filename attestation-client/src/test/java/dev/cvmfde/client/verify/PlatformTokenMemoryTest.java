package dev.cvmfde.client.verify;

import static dev.cvmfde.client.verify.AppraisalAssertions.affirming;
import static dev.cvmfde.client.verify.AppraisalAssertions.check;
import static dev.cvmfde.client.verify.AppraisalAssertions.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.protocol.token.CcaTokenDecoder;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The verifier's memory of verified platform tokens (internal {@code VerifiedPlatformTokens}):
 * a platform token already verified under the same anchor is not re-verified, and that changes
 * nothing else. Each test first affirms a token (so its platform token is remembered), then
 * appraises evidence that reuses that platform token byte for byte but is bad somewhere else,
 * and checks that it is refused at its own stage while platform-signature was a memory hit.
 */
class PlatformTokenMemoryTest {
    private static final String CACHED = "cached";

    private static void assertPlatformHit(Appraisal a) {
        Check c = check(a, Stage.PLATFORM_SIGNATURE, "platform-signature");
        assertEquals(Check.Outcome.PASS, c.outcome(), () -> VerdictTable.render(a));
        assertTrue(c.actual().contains(CACHED), c::actual);
    }

    /** A scenario whose token has been affirmed once, so its platform token is in memory. */
    private static byte[] affirmedToken(TestEvidence.Scenario s) throws Exception {
        byte[] good = s.token();
        Affirming first = affirming(Verifier.appraise(s.input(good).build()));
        assertFalse(check(first, Stage.PLATFORM_SIGNATURE, "platform-signature").actual().contains(CACHED));
        return good;
    }

    @Test
    void appraise_sameTokenTwice_secondPlatformSignatureIsMemoryHitAndAffirms() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        byte[] good = affirmedToken(s);

        Affirming again = affirming(Verifier.appraise(s.input(good).build()));

        assertPlatformHit(again);
        assertEquals(Check.Outcome.PASS, check(again, Stage.REALM_SIGNATURE, "realm-signature").outcome());
    }

    @Test
    void appraise_rememberedPlatformWithNewRealmToken_affirmsWithItsOwnChallenge() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        byte[] good = affirmedToken(s);
        s.challenge = TestEvidence.random(64);

        Affirming a = affirming(Verifier.appraise(s.input(TestEvidence.withPlatformOf(good, s.token())).build()));

        assertPlatformHit(a);
        assertTrue(Arrays.equals(s.challenge, a.realmChallenge()));
    }

    @Test
    void appraise_rememberedPlatformRealmSignedByOtherKey_refusedAtRealmSignature() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        byte[] good = affirmedToken(s);
        s.realmSigner = TestEvidence.ec("secp384r1"); // claim 44237 still names the RAK

        Refused r = refused(Verifier.appraise(s.input(TestEvidence.withPlatformOf(good, s.token())).build()));

        assertEquals(List.of(Stage.REALM_SIGNATURE), r.failedStages());
        assertPlatformHit(r);
    }

    @Test
    void appraise_rememberedPlatformRealmSignatureByteFlipped_refusedAtRealmSignature() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        byte[] bad = affirmedToken(s);
        bad[bad.length - 1] ^= 0x01; // the realm entry is last; its COSE signature is its last field

        Refused r = refused(Verifier.appraise(s.input(bad).build()));

        assertEquals(List.of(Stage.REALM_SIGNATURE), r.failedStages());
        assertPlatformHit(r);
    }

    @Test
    void appraise_rememberedPlatformWithOtherRak_refusedAtBinding() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        byte[] good = affirmedToken(s);
        KeyPair other = TestEvidence.ec("secp384r1");
        s.rak = other;
        s.realmSigner = other; // a valid realm token of another realm, glued to this platform token

        Refused r = refused(Verifier.appraise(s.input(TestEvidence.withPlatformOf(good, s.token())).build()));

        assertEquals(List.of(Stage.BINDING), r.failedStages());
        assertEquals(Check.Outcome.PASS, check(r, Stage.REALM_SIGNATURE, "realm-signature").outcome());
        assertPlatformHit(r);
    }

    @Test
    void appraise_rememberedPlatformWrongChallenge_refusedAtFreshness() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        byte[] good = affirmedToken(s);
        byte[] expected = s.challenge;
        s.challenge = TestEvidence.random(64);
        byte[] other = TestEvidence.withPlatformOf(good, s.token());
        s.challenge = expected;

        Refused r = refused(Verifier.appraise(s.input(other).build()));

        assertEquals(List.of(Stage.FRESHNESS), r.failedStages());
        assertPlatformHit(r);
    }

    @Test
    void appraise_rememberedPlatformWrongRim_refusedAtRim() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        byte[] good = affirmedToken(s);

        Refused r = refused(Verifier.appraise(s.input(good).referenceRim(TestEvidence.fill(32, 0x33)).build()));

        assertEquals(List.of(Stage.RIM), r.failedStages());
        assertPlatformHit(r);
    }

    @Test
    void appraise_rememberedPlatformUnderOtherAnchor_refusedAtPlatformSignature() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        byte[] good = affirmedToken(s);
        TrustAnchor other = new TrustAnchor.Key(TestEvidence.ec("secp384r1").getPublic(), "another test key");

        Refused r = refused(Verifier.appraise(EvidenceInput.builder(good, other).expectedChallenge(s.challenge)
                .referenceRim(s.rim).build()));

        assertEquals(List.of(Stage.PLATFORM_SIGNATURE), r.failedStages());
        assertFalse(check(r, Stage.PLATFORM_SIGNATURE, "platform-signature").actual().contains(CACHED));
    }

    @Test
    void appraise_rememberedPlatformOneSignatureByteDifferent_refusedAtPlatformSignature() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        byte[] good = affirmedToken(s);
        byte[] sig = CcaTokenDecoder.decode(good).platform().orElseThrow().envelope().signature();
        byte[] bad = good.clone();
        int at = indexOf(bad, sig) + sig.length / 2;
        bad[at] ^= 0x01;

        Refused r = refused(Verifier.appraise(s.input(bad).build()));

        assertEquals(List.of(Stage.PLATFORM_SIGNATURE), r.failedStages());
        assertFalse(check(r, Stage.PLATFORM_SIGNATURE, "platform-signature").actual().contains(CACHED));
        // and the good one is still remembered, the bad one was not
        assertPlatformHit(Verifier.appraise(s.input(good).build()));
        refused(Verifier.appraise(s.input(bad).build()));
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new IllegalStateException("not found");
    }
}
