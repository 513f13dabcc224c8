package dev.cvmfde.client.verify;

import static dev.cvmfde.client.verify.AppraisalAssertions.affirming;
import static dev.cvmfde.client.verify.AppraisalAssertions.check;
import static dev.cvmfde.client.verify.AppraisalAssertions.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.cvmfde.protocol.baseline.BaselineSignature;
import dev.cvmfde.refvalues.hashjson.HashJson;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 items 2 and 5: the verifier fails closed (a check that cannot run refuses unless its
 * {@code --insecure-…} waiver is given, and then says so in capitals), and whether evidence may
 * be simulated is decided by the anchor, never by the token. Each refusal names its stage; each
 * waiver affirms with the check SKIPPED (INSECURE: option).
 */
class FailClosedTest {

    private static void assertInsecureSkip(Affirming a, Stage stage, String name, Insecure waiver) {
        Check c = check(a, stage, name);
        assertEquals(Check.Outcome.SKIPPED, c.outcome());
        assertEquals("SKIPPED (INSECURE: " + waiver.option() + ")", c.verdict());
        assertTrue(a.insecure().contains(waiver), a.insecure()::toString);
        String table = VerdictTable.render(a);
        assertTrue(table.contains("SKIPPED (INSECURE: " + waiver.option() + ")"), table);
        assertTrue(table.contains("!!! INSECURE (" + waiver.option() + ")") || waiver == Insecure.NO_FRESHNESS, table);
        assertTrue(AppraisalJson.toJson(a).contains("\"" + waiver.option() + "\""));
    }

    @Test
    void appraise_noRim_refusedAtRim() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        EvidenceInput in = EvidenceInput.builder(s.token(), s.anchor()).expectedChallenge(s.challenge)
                .eventLog(TestEvidence.log(s.events)).baseline(s.signedBaseline()).build();

        Refused r = refused(Verifier.appraise(in));

        assertEquals(List.of(Stage.RIM), r.failedStages());
        assertEquals(Insecure.NO_RIM.required(), check(r, Stage.RIM, "rim").expected());
    }

    @Test
    void appraise_noRimWithInsecureNoRim_affirmsSkippedInCapitals() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        EvidenceInput in = EvidenceInput.builder(s.token(), s.anchor()).expectedChallenge(s.challenge)
                .eventLog(TestEvidence.log(s.events)).baseline(s.signedBaseline()).insecure(Insecure.NO_RIM).build();

        assertInsecureSkip(affirming(Verifier.appraise(in)), Stage.RIM, "rim", Insecure.NO_RIM);
    }

    @Test
    void appraise_rimOnlyInSignedBaseline_affirmsAndRimPasses() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.baseline = TestEvidence.withField(s.baseline, "rim", TextNode.valueOf(HexFormat.of().formatHex(s.rim)));
        EvidenceInput in = EvidenceInput.builder(s.token(), s.anchor()).expectedChallenge(s.challenge)
                .eventLog(TestEvidence.log(s.events)).baseline(s.signedBaseline()).build();

        Affirming a = affirming(Verifier.appraise(in));

        assertEquals(Check.Outcome.PASS, check(a, Stage.RIM, "rim").outcome());
        assertTrue(a.insecure().isEmpty());
    }

    @Test
    void appraise_rimInBaselineNotTheRealms_refusedAtRim() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.baseline = TestEvidence.withField(s.baseline, "rim", TextNode.valueOf("33".repeat(32)));
        EvidenceInput in = EvidenceInput.builder(s.token(), s.anchor()).expectedChallenge(s.challenge)
                .eventLog(TestEvidence.log(s.events)).baseline(s.signedBaseline()).build();

        assertEquals(List.of(Stage.RIM), refused(Verifier.appraise(in)).failedStages());
    }

    @Test
    void appraise_rimOptionAndBaselineDisagree_refusedAtRim() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.baseline = TestEvidence.withField(s.baseline, "rim", TextNode.valueOf("33".repeat(32)));

        Refused r = refused(Verifier.appraise(s.input().build()));

        assertEquals(List.of(Stage.RIM), r.failedStages());
        assertEquals(Check.Outcome.FAIL, check(r, Stage.RIM, "rim-source").outcome());
    }

    @Test
    void appraise_noBaseline_refusedAtBaselineAndBootComponents() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        EvidenceInput in = EvidenceInput.builder(s.token(), s.anchor()).expectedChallenge(s.challenge)
                .referenceRim(s.rim).eventLog(TestEvidence.log(s.events)).build();

        Refused r = refused(Verifier.appraise(in));

        assertEquals(List.of(Stage.BASELINE, Stage.BOOT_COMPONENTS), r.failedStages());
    }

    @Test
    void appraise_noBaselineWithInsecureNoBaseline_affirmsSkippedInCapitals() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        EvidenceInput in = EvidenceInput.builder(s.token(), s.anchor()).expectedChallenge(s.challenge)
                .referenceRim(s.rim).eventLog(TestEvidence.log(s.events)).insecure(Insecure.NO_BASELINE).build();

        Affirming a = affirming(Verifier.appraise(in));

        assertInsecureSkip(a, Stage.BASELINE, "hash.json", Insecure.NO_BASELINE);
        assertInsecureSkip(a, Stage.BOOT_COMPONENTS, "boot-components", Insecure.NO_BASELINE);
    }

    @Test
    void appraise_unsignedBaseline_refusedAtBaseline() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();

        Refused r = refused(Verifier.appraise(s.input().baseline(ReferenceBaseline.unsigned(HashJson.toBytes(s.baseline)))
                .build()));

        assertEquals(List.of(Stage.BASELINE), r.failedStages());
        assertEquals(Check.Outcome.FAIL, check(r, Stage.BASELINE, "hash.json-signature").outcome());
    }

    @Test
    void appraise_unsignedBaselineWithInsecureUnsignedBaseline_affirmsSkippedInCapitals() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();

        Affirming a = affirming(Verifier.appraise(s.input().baseline(ReferenceBaseline.unsigned(
                HashJson.toBytes(s.baseline))).insecure(Insecure.UNSIGNED_BASELINE).build()));

        assertInsecureSkip(a, Stage.BASELINE, "hash.json-signature", Insecure.UNSIGNED_BASELINE);
    }

    @Test
    void appraise_editedSignedBaseline_refusedAtBaseline() throws Exception {
        // the host edits hash.json beside the image (here: relaxes the pinned command line) and keeps the .jws
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        byte[] json = HashJson.toBytes(s.baseline);
        String jws = BaselineSignature.sign(json, s.baselineSigner);
        byte[] edited = new String(json, StandardCharsets.UTF_8).replace(TestEvidence.CMDLINE, TestEvidence.CMDLINE
                + " init=/bin/sh").getBytes(StandardCharsets.UTF_8);

        Refused r = refused(Verifier.appraise(s.input().baseline(ReferenceBaseline.signed(edited, Optional.of(jws),
                s.baselineSigner.toPublicJWK())).build()));

        assertEquals(List.of(Stage.BASELINE), r.failedStages());
        assertEquals(Check.Outcome.SKIPPED, check(r, Stage.BOOT_COMPONENTS, "boot-components").outcome());
    }

    @Test
    void appraise_editedSignedBaselineEvenWithInsecureUnsignedBaseline_refusedAtBaseline() throws Exception {
        // the waiver is for a baseline without a signer; a signature that does not verify always refuses
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        byte[] json = HashJson.toBytes(s.baseline);
        String jws = BaselineSignature.sign(json, s.baselineSigner);
        byte[] edited = json.clone();
        edited[edited.length / 2] ^= 1;

        Refused r = refused(Verifier.appraise(s.input().baseline(ReferenceBaseline.signed(edited, Optional.of(jws),
                s.baselineSigner.toPublicJWK())).insecure(Insecure.UNSIGNED_BASELINE).build()));

        assertEquals(Stage.BASELINE, r.firstFailedStage());
    }

    @Test
    void appraise_baselineWithoutCmdline_refusedAtBootComponents() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.baseline = TestEvidence.baseline(TestEvidence.chain(TestEvidence.CMDLINE), Optional.empty());

        Refused r = refused(Verifier.appraise(s.input().build()));

        assertEquals(List.of(Stage.BOOT_COMPONENTS), r.failedStages());
        Check c = check(r, Stage.BOOT_COMPONENTS, "kernel-cmdline");
        assertEquals(Check.Outcome.FAIL, c.outcome());
        assertEquals(Insecure.NO_CMDLINE.required(), c.expected());
    }

    @Test
    void appraise_baselineWithoutCmdlineWithInsecureNoCmdline_affirmsSkippedInCapitals() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.baseline = TestEvidence.baseline(TestEvidence.chain(TestEvidence.CMDLINE), Optional.empty());

        Affirming a = affirming(Verifier.appraise(s.input().insecure(Insecure.NO_CMDLINE).build()));

        assertInsecureSkip(a, Stage.BOOT_COMPONENTS, "kernel-cmdline", Insecure.NO_CMDLINE);
    }

    @Test
    void appraise_baselineButNoEventLog_refusedAtEventLog() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        EvidenceInput in = EvidenceInput.builder(s.token(), s.anchor()).expectedChallenge(s.challenge)
                .referenceRim(s.rim).baseline(s.signedBaseline()).build();

        Refused r = refused(Verifier.appraise(in));

        // a baseline needs the log: event-log FAILS; boot-components stays SKIPPED (it could not run)
        assertEquals(List.of(Stage.EVENT_LOG), r.failedStages());
        assertEquals(Check.Outcome.SKIPPED, r.checks().stream().filter(c -> c.stage() == Stage.BOOT_COMPONENTS)
                .findFirst().orElseThrow().outcome());
    }

    @Test
    void appraise_noEventLogNoBaselineBothWaived_affirmsSkippedInCapitals() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        EvidenceInput in = EvidenceInput.builder(s.token(), s.anchor()).expectedChallenge(s.challenge)
                .referenceRim(s.rim).insecure(Insecure.NO_EVENT_LOG, Insecure.NO_BASELINE).build();

        Affirming a = affirming(Verifier.appraise(in));

        assertInsecureSkip(a, Stage.EVENT_LOG, "replay", Insecure.NO_EVENT_LOG);
        assertEquals(List.of(Insecure.NO_BASELINE, Insecure.NO_EVENT_LOG), a.insecure().stream().sorted().toList());
    }

    @Test
    void appraise_everythingGiven_noInsecureSkipNoBanner() throws Exception {
        Affirming a = affirming(Verifier.appraise(new TestEvidence.Scenario().input().build()));

        assertTrue(a.insecure().isEmpty());
        assertTrue(a.checks().stream().noneMatch(c -> c.outcome() == Check.Outcome.SKIPPED), a.checks()::toString);
        assertTrue(!VerdictTable.render(a).contains("INSECURE"));
    }

    @Test
    void appraise_simulatedEvidenceAgainstRealAnchor_refusedAtPolicy() throws Exception {
        TestEvidence.Scenario s = TestEvidence.simulatedScenario();

        Refused r = refused(Verifier.appraise(s.input().build()));

        assertEquals(List.of(Stage.POLICY), r.failedStages());
        assertEquals(Check.Outcome.FAIL, check(r, Stage.POLICY, "simulated-tee").outcome());
        assertEquals(Check.Outcome.FAIL, check(r, Stage.POLICY, "baseline-simulated").outcome());
    }

    @Test
    void appraise_realProfileEvidenceAgainstSimulatedAnchor_refusedAtPolicy() throws Exception {
        // a key the operator named as the simulated TEE's signs evidence that claims to be a real platform's
        TestEvidence.Scenario s = TestEvidence.simulatedScenario();
        s.realmProfile = Optional.of(TestEvidence.ARM_REALM_PROFILE);
        s.platformProfile = TestEvidence.ARM_PLATFORM_PROFILE;

        Refused r = refused(Verifier.appraise(s.input().simulatedAnchor(true).build()));

        assertEquals(List.of(Stage.POLICY), r.failedStages());
        Check c = check(r, Stage.POLICY, "simulated-tee");
        assertEquals(TestEvidence.ARM_REALM_PROFILE, c.actual());
    }

    @Test
    void appraise_simulatedEvidenceRealBaselineSimulatedAnchor_refusedAtPolicy() throws Exception {
        // a real image's hash.json (no "simulated": true) is never appraised against the simulated anchor
        TestEvidence.Scenario s = TestEvidence.simulatedScenario();
        s.baseline = new TestEvidence.Scenario().baseline;

        Refused r = refused(Verifier.appraise(s.input().simulatedAnchor(true).build()));

        assertEquals(List.of(Stage.POLICY), r.failedStages());
        assertEquals("false", check(r, Stage.POLICY, "baseline-simulated").actual());
    }

    @Test
    void appraise_simulatedMarkerNotBoolean_refusedAtPolicy() throws Exception {
        TestEvidence.Scenario s = TestEvidence.simulatedScenario();
        s.baseline = TestEvidence.withField(s.baseline, "simulated", TextNode.valueOf("true"));

        assertEquals(List.of(Stage.POLICY), refused(Verifier.appraise(s.input().simulatedAnchor(true).build()))
                .failedStages());
    }

    @Test
    void appraise_simulatedEvidenceSimulatedAnchorSimulatedBaseline_affirmsFlagged() throws Exception {
        TestEvidence.Scenario s = TestEvidence.simulatedScenario();

        Affirming a = affirming(Verifier.appraise(s.input().simulatedAnchor(true).build()));

        assertTrue(a.simulated());
        assertEquals(Check.Outcome.FLAGGED, check(a, Stage.POLICY, "simulated-tee").outcome());
        assertEquals(Check.Outcome.PASS, check(a, Stage.POLICY, "baseline-simulated").outcome());
        assertEquals(BooleanNode.TRUE, s.baseline.extraFields().get("simulated"));
    }
}
