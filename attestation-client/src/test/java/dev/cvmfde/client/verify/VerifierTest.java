package dev.cvmfde.client.verify;

import static dev.cvmfde.client.verify.AppraisalAssertions.affirming;
import static dev.cvmfde.client.verify.AppraisalAssertions.check;
import static dev.cvmfde.client.verify.AppraisalAssertions.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.cvmfde.protocol.baseline.BaselineSignature;
import dev.cvmfde.protocol.token.SimulatedTee;
import dev.cvmfde.refvalues.eventlog.EventType;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.hashjson.HashJson;
import dev.cvmfde.refvalues.predict.EventLogPredictor;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The staged verifier: the full chain affirms, and each stage refuses its own kind of bad evidence. */
class VerifierTest {

    /** Byte-wise search and replace of the first occurrence (a tamper that keeps the structure). */
    private static byte[] tamper(byte[] token, byte[] find) {
        byte[] out = token.clone();
        for (int i = 0; i + find.length <= out.length; i++) {
            if (java.util.Arrays.equals(out, i, i + find.length, find, 0, find.length)) {
                out[i + find.length / 2] ^= 0x01;
                return out;
            }
        }
        throw new IllegalStateException("pattern not in token");
    }

    @Test
    void appraise_fullChainWithEventLogAndBaseline_affirmsEveryStage() throws Exception {
        Affirming a = affirming(Verifier.appraise(new TestEvidence.Scenario().input().build()));

        assertFalse(a.simulated());
        assertTrue(a.freshnessChecked());
        for (Stage s : List.of(Stage.DECODE, Stage.PLATFORM_SIGNATURE, Stage.REALM_SIGNATURE, Stage.BINDING,
                Stage.FRESHNESS, Stage.RIM, Stage.EVENT_LOG, Stage.BOOT_COMPONENTS, Stage.POLICY)) {
            assertTrue(a.checks().stream().anyMatch(c -> c.stage() == s && c.outcome() == Check.Outcome.PASS), s::label);
        }
        assertEquals(Check.Outcome.PASS, check(a, Stage.BOOT_COMPONENTS, "kernel-cmdline").outcome());
    }

    @Test
    void appraise_truncatedToken_refusedAtDecodeAndRestSkipped() throws Exception {
        byte[] token = new TestEvidence.Scenario().token();
        byte[] cut = java.util.Arrays.copyOf(token, token.length - 5);

        Refused r = refused(Verifier.appraise(new TestEvidence.Scenario().input(cut).build()));

        assertEquals(List.of(Stage.DECODE), r.failedStages());
        assertEquals(Check.Outcome.SKIPPED, check(r, Stage.RIM, "rim").outcome());
    }

    @Test
    void appraise_wrongOuterTag_refusedAtDecode() throws Exception {
        byte[] token = new TestEvidence.Scenario().token();
        token[1] = (byte) 0x8e; // tag 907 (0xd9 0x03 0x8b) becomes tag 910

        assertEquals(Stage.DECODE, refused(Verifier.appraise(new TestEvidence.Scenario().input(token).build()))
                .firstFailedStage());
    }

    @Test
    void appraise_tamperedPlatformPayload_refusedAtPlatformSignature() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        byte[] token = tamper(s.token(), TestEvidence.fill(32, 7)); // the implementation id

        Refused r = refused(Verifier.appraise(s.input(token).build()));

        assertEquals(List.of(Stage.PLATFORM_SIGNATURE), r.failedStages());
        assertEquals(Check.Outcome.SKIPPED, check(r, Stage.FRESHNESS, "freshness").outcome());
    }

    @Test
    void appraise_wrongTrustAnchorKey_refusedAtPlatformSignature() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        EvidenceInput in = EvidenceInput.builder(s.token(),
                new TrustAnchor.Key(TestEvidence.ec("secp384r1").getPublic(), "other")).expectedChallenge(s.challenge)
                .build();

        assertEquals(List.of(Stage.PLATFORM_SIGNATURE), refused(Verifier.appraise(in)).failedStages());
    }

    @Test
    void appraise_tamperedRealmPayload_refusedAtRealmSignature() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        byte[] token = tamper(s.token(), TestEvidence.fill(64, 0x11)); // the personalization value

        assertEquals(List.of(Stage.REALM_SIGNATURE), refused(Verifier.appraise(s.input(token).build())).failedStages());
    }

    @Test
    void appraise_realmSignedByOtherKeyThanClaimedRak_refusedAtRealmSignature() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.realmSigner = TestEvidence.ec("secp384r1");

        assertEquals(List.of(Stage.REALM_SIGNATURE), refused(Verifier.appraise(s.input().build())).failedStages());
    }

    @Test
    void appraise_platformChallengeNotHashOfRak_refusedAtBinding() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.platformChallengeOverride = TestEvidence.fill(32, 0x5a);

        Refused r = refused(Verifier.appraise(s.input().build()));

        assertEquals(List.of(Stage.BINDING), r.failedStages());
        assertEquals(Check.Outcome.SKIPPED, check(r, Stage.POLICY, "policy").outcome());
    }

    @Test
    void appraise_otherExpectedChallenge_refusedAtFreshness() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();

        Refused r = refused(Verifier.appraise(s.input().expectedChallenge(TestEvidence.random(64)).build()));

        assertEquals(List.of(Stage.FRESHNESS), r.failedStages());
    }

    @Test
    void appraise_noExpectedChallenge_refusedAtFreshness() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();

        Refused r = refused(Verifier.appraise(EvidenceInput.builder(s.token(), s.anchor()).build()));

        assertEquals(List.of(Stage.FRESHNESS), r.failedStages());
    }

    @Test
    void appraise_freshnessOptedOut_affirmsButSaysNotChecked() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();

        Affirming a = affirming(Verifier.appraise(s.input().withoutFreshness().build()));

        assertFalse(a.freshnessChecked());
        assertEquals(Check.Outcome.SKIPPED, check(a, Stage.FRESHNESS, "realm-challenge").outcome());
        assertEquals(List.of(Insecure.NO_FRESHNESS), a.insecure());
    }

    @Test
    void isBoundTo_challengeFromNonceAndEphemeralKey_trueOnlyForThatKeyAndNonce() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        ECKey eph = new ECKeyGenerator(Curve.P_384).generate();
        byte[] nonce = TestEvidence.random(64);
        s.challenge = dev.cvmfde.protocol.wire.ChallengeBinding.challenge(nonce, eph);

        Affirming a = affirming(Verifier.appraise(s.input().expectedChallenge(nonce, eph.toPublicJWK()).build()));

        assertTrue(a.isBoundTo(nonce, eph.toPublicJWK()));
        assertFalse(a.isBoundTo(nonce, new ECKeyGenerator(Curve.P_384).generate().toPublicJWK()));
        assertFalse(a.isBoundTo(TestEvidence.random(64), eph.toPublicJWK()));
    }

    @Test
    void appraise_wrongReferenceRim_refusedAtRim() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();

        Refused r = refused(Verifier.appraise(s.input().referenceRim(TestEvidence.fill(32, 0x23)).build()));

        assertEquals(List.of(Stage.RIM), r.failedStages());
    }

    @Test
    void appraise_eventLogNotReplayingToRems_refusedAtEventLogAndComponentsSkipped() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.tokenEvents = EventLogPredictor.predictEvents(TestEvidence.chain("root=/dev/vda2 ro"));

        Refused r = refused(Verifier.appraise(s.input().build()));

        assertEquals(List.of(Stage.EVENT_LOG), r.failedStages());
        assertEquals(Check.Outcome.FAIL, check(r, Stage.EVENT_LOG, "REM[2]").outcome());
        assertEquals(Check.Outcome.SKIPPED, check(r, Stage.BOOT_COMPONENTS, "boot-components").outcome());
    }

    @Test
    void appraise_logWithoutGrubCfgEvent_refusedAtBootComponents() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.events = s.events.stream().filter(e -> !(e.type() == EventType.EV_IPL && e.dataAsText().endsWith("grub.cfg")))
                .toList();
        s.tokenEvents = s.events;

        Refused r = refused(Verifier.appraise(s.input().build()));

        assertEquals(List.of(Stage.BOOT_COMPONENTS), r.failedStages());
        assertEquals(Check.Outcome.FAIL, check(r, Stage.BOOT_COMPONENTS, "grub.cfg").outcome());
    }

    @Test
    void appraise_kernelCmdlineDiffersFromBaseline_refusedAtBootComponents() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.events = EventLogPredictor.predictEvents(TestEvidence.chain(TestEvidence.CMDLINE + " init=/bin/sh"));
        s.tokenEvents = s.events;

        Refused r = refused(Verifier.appraise(s.input().build()));

        assertEquals(List.of(Stage.BOOT_COMPONENTS), r.failedStages());
        Check c = check(r, Stage.BOOT_COMPONENTS, "kernel-cmdline");
        assertEquals(Check.Outcome.FAIL, c.outcome());
        assertEquals(TestEvidence.CMDLINE + " init=/bin/sh", c.actual());
    }


    @Test
    void appraise_simulatedEvidenceAgainstRealAnchor_refusedAtPolicy() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.realmProfile = Optional.of(SimulatedTee.REALM_PROFILE);
        s.platformProfile = SimulatedTee.PLATFORM_PROFILE;

        assertEquals(List.of(Stage.POLICY), refused(Verifier.appraise(s.input().build())).failedStages());
    }

    @Test
    void appraise_simulatedEvidenceAgainstSimulatedAnchor_affirmsFlaggedAndTableSaysSimulated() throws Exception {
        TestEvidence.Scenario s = TestEvidence.simulatedScenario();

        Affirming a = affirming(Verifier.appraise(s.input().simulatedAnchor(true).build()));

        assertTrue(a.simulated());
        assertEquals(Check.Outcome.FLAGGED, check(a, Stage.POLICY, "simulated-tee").outcome());
        assertTrue(VerdictTable.render(a).contains("SIMULATED TEE"));
    }

    @Test
    void appraise_cvmOnlyTokenSignedByAikThatIsTheRak_affirms() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.cvmOnly = true;

        Affirming a = affirming(Verifier.appraise(s.input().build()));

        assertTrue(a.platformClaims().isEmpty());
        assertEquals(Check.Outcome.PASS, check(a, Stage.BINDING, "aik-equals-rak").outcome());
    }

    @Test
    void appraise_virtCcaFormP521DerSignaturesWrappedPayload_affirms() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.cpak = TestEvidence.ec("secp521r1");
        s.rak = TestEvidence.ec("secp521r1");
        s.realmSigner = s.rak;
        s.platformAlg = dev.cvmfde.protocol.cose.CoseAlgorithm.ES512;
        s.realmAlg = dev.cvmfde.protocol.cose.CoseAlgorithm.ES512;
        s.form = dev.cvmfde.protocol.token.CollectionForm.EAT_399;
        s.encoding = dev.cvmfde.protocol.cose.SignatureEncoding.DER;
        s.payloadForm = dev.cvmfde.protocol.token.RealmPayloadForm.BSTR_WRAPPED;

        Affirming a = affirming(Verifier.appraise(s.input().build()));

        assertTrue(check(a, Stage.PLATFORM_SIGNATURE, "platform-signature").actual().contains("DER"));
    }

    @Test
    void appraise_virtCcaDerSignatureTampered_refusedAtRealmSignature() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.encoding = dev.cvmfde.protocol.cose.SignatureEncoding.DER;
        byte[] token = tamper(s.token(), TestEvidence.fill(64, 0x11));

        assertEquals(List.of(Stage.REALM_SIGNATURE), refused(Verifier.appraise(s.input(token).build())).failedStages());
    }

    @Test
    void appraise_cvmOnlyTokenWhoseRakIsNotTheAik_refusedAtBinding() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.cvmOnly = true;
        s.realmSigner = TestEvidence.ec("secp384r1"); // the device AIK signs ...
        s.rak = TestEvidence.ec("secp384r1"); // ... but the token names another RAK
        EvidenceInput in = EvidenceInput.builder(s.token(), new TrustAnchor.Key(s.realmSigner.getPublic(), "AIK"))
                .expectedChallenge(s.challenge).build();

        Refused r = refused(Verifier.appraise(in));

        assertEquals(List.of(Stage.BINDING), r.failedStages());
    }

    @Test
    void appraise_signedBaselineWithValidSignature_affirms() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        ECKey signer = new ECKeyGenerator(Curve.P_384).generate();
        byte[] json = HashJson.toBytes(s.baseline);
        String jws = BaselineSignature.sign(json, signer);

        Affirming a = affirming(Verifier.appraise(s.input()
                .baseline(ReferenceBaseline.signed(json, Optional.of(jws), signer.toPublicJWK())).build()));

        assertEquals(Check.Outcome.PASS, check(a, Stage.BASELINE, "hash.json-signature").outcome());
    }

    @Test
    void appraise_baselineSignedByOtherKey_refusedAtBaselineAndComponentsSkipped() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        byte[] json = HashJson.toBytes(s.baseline);
        String jws = BaselineSignature.sign(json, new ECKeyGenerator(Curve.P_384).generate());
        ECKey pinned = new ECKeyGenerator(Curve.P_384).generate().toPublicJWK();

        Refused r = refused(Verifier.appraise(s.input()
                .baseline(ReferenceBaseline.signed(json, Optional.of(jws), pinned)).build()));

        assertEquals(List.of(Stage.BASELINE), r.failedStages());
        assertEquals(Check.Outcome.SKIPPED, check(r, Stage.BOOT_COMPONENTS, "boot-components").outcome());
    }

    @Test
    void appraise_reusedBaselineObjects_eachKeepsItsOwnVerdict() throws Exception {
        // The baseline stage replays the last outcome for the same ReferenceBaseline object: a
        // different object (here: a bad signature) must be checked afresh, then the good one again.
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        ECKey signer = new ECKeyGenerator(Curve.P_384).generate();
        byte[] json = HashJson.toBytes(s.baseline);
        ReferenceBaseline good = ReferenceBaseline.signed(json, Optional.of(BaselineSignature.sign(json, signer)),
                signer.toPublicJWK());
        ReferenceBaseline forged = ReferenceBaseline.signed(json,
                Optional.of(BaselineSignature.sign(json, new ECKeyGenerator(Curve.P_384).generate())), signer.toPublicJWK());

        for (int i = 0; i < 2; i++) {
            Affirming a = affirming(Verifier.appraise(s.input().baseline(good).build()));
            assertEquals(Check.Outcome.PASS, check(a, Stage.BASELINE, "hash.json-signature").outcome());
            assertEquals(Check.Outcome.PASS, check(a, Stage.BOOT_COMPONENTS, "grub.cfg").outcome());
            Refused r = refused(Verifier.appraise(s.input().baseline(forged).build()));
            assertEquals(List.of(Stage.BASELINE), r.failedStages());
        }
    }

    @Test
    void appraise_signerPinnedButNoSignature_refusedAtBaseline() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        ECKey pinned = new ECKeyGenerator(Curve.P_256).generate().toPublicJWK();

        Refused r = refused(Verifier.appraise(s.input().baseline(
                ReferenceBaseline.signed(HashJson.toBytes(s.baseline), Optional.empty(), pinned)).build()));

        assertEquals(List.of(Stage.BASELINE), r.failedStages());
    }

    @Test
    void appraise_malformedUnsignedBaseline_throwsVerifierException() {
        TestEvidence.Scenario s = new TestEvidence.Scenario();

        assertThrows(VerifierException.class, () -> Verifier.appraise(s.input()
                .baseline(ReferenceBaseline.unsigned("{\"grub\": 1}".getBytes())).build()));
    }

    @Test
    void appraise_severalFailures_allReportedInStageOrder() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.realmProfile = Optional.of(SimulatedTee.REALM_PROFILE);

        Refused r = refused(Verifier.appraise(s.input().expectedChallenge(TestEvidence.random(64))
                .referenceRim(TestEvidence.fill(48, 1)).build()));

        assertEquals(List.of(Stage.FRESHNESS, Stage.RIM, Stage.POLICY), r.failedStages());
    }

    @Test
    void appraise_inputArrays_notModified() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        byte[] token = s.token();
        byte[] copy = token.clone();

        Verifier.appraise(s.input(token).build());

        assertTrue(java.util.Arrays.equals(copy, token));
    }

}
