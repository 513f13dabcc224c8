package dev.cvmfde.client.verify;

import static dev.cvmfde.client.verify.AppraisalAssertions.affirming;
import static dev.cvmfde.client.verify.AppraisalAssertions.check;
import static dev.cvmfde.client.verify.AppraisalAssertions.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.compare.GrubEvents;
import dev.cvmfde.refvalues.eventlog.EventDigest;
import dev.cvmfde.refvalues.eventlog.EventLog;
import dev.cvmfde.refvalues.eventlog.EventLogHeader;
import dev.cvmfde.refvalues.eventlog.EventLogWriter;
import dev.cvmfde.refvalues.eventlog.EventType;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.eventlog.SpecIdEvent;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.HashJson;
import dev.cvmfde.refvalues.hashjson.KernelEntry;
import dev.cvmfde.refvalues.predict.BootChain;
import dev.cvmfde.refvalues.predict.EventLogPredictor;
import dev.cvmfde.refvalues.predict.MeasuredFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The boot components as an exact allow-list, through the whole verifier with real tokens
 * (CcaTokenBuilder, per-run P-384 keys): each tampered log is made to replay to the token's REMs,
 * so only the allow-list can refuse it, and each is refused at its named stage and check with the
 * allowed event and the logged one.
 */
class AllowListVerifierTest {
    private static final String CMDLINE = TestEvidence.CMDLINE;

    static Digest sha(DigestAlgorithm alg, String s) {
        return Digest.of(alg, s.getBytes(StandardCharsets.UTF_8));
    }

    static BootChain chain(DigestAlgorithm alg, String version, String kernelContent) {
        return new BootChain(sha(alg, "grubaa64.efi image"), new MeasuredFile("/grub/grub.cfg", sha(alg, "grub.cfg")),
                List.of("set root=(hd0,gpt1)"), new MeasuredFile("/vmlinuz-" + version, sha(alg, kernelContent)),
                CMDLINE, new MeasuredFile("/initramfs-" + version + ".img", sha(alg, "initramfs " + version)));
    }

    static LogEvent string(String prefix, String body) {
        return new LogEvent(3, EventType.EV_IPL, List.of(EventDigest.of(sha(DigestAlgorithm.SHA256, body))),
                (prefix + body + "\0").getBytes(StandardCharsets.UTF_8));
    }

    static LogEvent file(String path, String content) {
        return new LogEvent(3, EventType.EV_IPL, List.of(EventDigest.of(sha(DigestAlgorithm.SHA256, content))),
                (path + "\0").getBytes(StandardCharsets.UTF_8));
    }

    /** The scenario whose log (and the REMs of its token) is {@code events}. */
    static TestEvidence.Scenario with(List<LogEvent> events) {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.events = events;
        s.tokenEvents = events;
        return s;
    }

    /** The genuine log with {@code extra} inserted before the first event {@code at} matches ({@code null}: at the end). */
    static List<LogEvent> insert(Predicate<LogEvent> at, LogEvent... extra) {
        List<LogEvent> out = new ArrayList<>(new TestEvidence.Scenario().events);
        int i = out.size();
        if (at != null) {
            i = 0;
            while (!at.test(out.get(i))) {
                i++;
            }
        }
        out.addAll(i, List.of(extra));
        return out;
    }

    static Predicate<LogEvent> text(String prefix) {
        return e -> e.dataAsText().startsWith(prefix);
    }

    /** Refused at BOOT_COMPONENTS only, the event sequence failing; returns that check. */
    static Check refusedSequence(TestEvidence.Scenario s) throws Exception {
        Refused r = refused(Verifier.appraise(s.input().build()));
        assertEquals(List.of(Stage.BOOT_COMPONENTS), r.failedStages(), r::summary);
        Check c = check(r, Stage.BOOT_COMPONENTS, "event-sequence");
        assertEquals(Check.Outcome.FAIL, c.outcome());
        return c;
    }

    @Test
    void appraise_genuinePredictedLog_affirmsWithSequenceAndAlgorithmPassed() throws Exception {
        Affirming a = affirming(Verifier.appraise(new TestEvidence.Scenario().input().build()));

        assertEquals(Check.Outcome.PASS, check(a, Stage.BOOT_COMPONENTS, "event-sequence").outcome());
        assertEquals(Check.Outcome.PASS, check(a, Stage.BOOT_COMPONENTS, "hash-alg").outcome());
        assertEquals(Check.Outcome.PASS, check(a, Stage.EVENT_LOG, "mr-index-0").outcome());
        assertEquals(Check.Outcome.PASS, check(a, Stage.BOOT_COMPONENTS, "kernel-cmdline").outcome());
    }

    @Test
    void appraise_index0DecoysOfGenuineChainBeforeEvilChain_refusedAtEventLog() throws Exception {
        // The genuine events at MR 0 (entering no REM) ahead of an evil kernel the REMs do hold:
        // "first kernel event wins" would have compared the decoy.
        List<LogEvent> events = new ArrayList<>();
        for (LogEvent e : new TestEvidence.Scenario().events) {
            events.add(new LogEvent(0, e.type(), e.digests(), e.data()));
        }
        events.addAll(EventLogPredictor.predictEvents(chain(DigestAlgorithm.SHA256, "6.6.0", "evil kernel")));

        Refused r = refused(Verifier.appraise(with(events).input().build()));

        assertEquals(List.of(Stage.EVENT_LOG), r.failedStages(), r::summary);
        Check c = check(r, Stage.EVENT_LOG, "mr-index-0");
        assertEquals("only EV_NO_ACTION at MR index 0", c.expected());
        assertTrue(c.actual().startsWith("8 measured: event 1 EV_EFI_BOOT_SERVICES_APPLICATION"), c.actual());
        assertEquals(Check.Outcome.SKIPPED, check(r, Stage.BOOT_COMPONENTS, "boot-components").outcome());
    }

    @Test
    void appraise_extraEfiApplicationBeforeGrub_refusedAtBootComponents() throws Exception {
        LogEvent loader = new LogEvent(2, EventType.EV_EFI_BOOT_SERVICES_APPLICATION,
                List.of(EventDigest.of(sha(DigestAlgorithm.SHA256, "a loader the host chose"))), new byte[32]);
        TestEvidence.Scenario s = with(insert(e -> e.type() == EventType.EV_EFI_BOOT_SERVICES_APPLICATION, loader));

        Check seq = refusedSequence(s);

        Refused r = refused(Verifier.appraise(s.input().build()));
        Check grub = check(r, Stage.BOOT_COMPONENTS, "grub");
        assertEquals(Check.Outcome.FAIL, grub.outcome());
        assertEquals(sha(DigestAlgorithm.SHA256, "a loader the host chose").hex(), grub.actual());
        assertTrue(seq.expected().startsWith("exactly one EFI application"), seq.expected());
        assertTrue(seq.detail().startsWith("NOT_ALLOWED event 2 (MR 2)"), seq.detail());
    }

    @Test
    void appraise_secondKernelAfterGenuine_refusedAtBootComponents() throws Exception {
        TestEvidence.Scenario s = with(insert(null, string(GrubEvents.GRUB_CMD_PREFIX, "linux /vmlinuz-evil " + CMDLINE),
                file("/vmlinuz-evil", "evil kernel"), string(GrubEvents.KERNEL_CMDLINE_PREFIX, "/vmlinuz-evil " + CMDLINE)));

        Check seq = refusedSequence(s);

        assertTrue(seq.actual().contains("grub_cmd: linux /vmlinuz-evil"), seq.actual());
        assertTrue(seq.detail().contains("2 more deviation(s)"), seq.detail());
        Refused r = refused(Verifier.appraise(s.input().build()));
        assertEquals(Check.Outcome.PASS, check(r, Stage.BOOT_COMPONENTS, "kernel (6.6.0)").outcome());
    }

    @Test
    void appraise_secondInitrdAfterGenuine_refusedAtBootComponents() throws Exception {
        Check seq = refusedSequence(with(insert(null, string(GrubEvents.GRUB_CMD_PREFIX, "initrd /initramfs-evil.img"),
                file("/initramfs-evil.img", "evil initramfs"))));

        assertTrue(seq.actual().contains("grub_cmd: initrd /initramfs-evil.img"), seq.actual());
        assertTrue(seq.detail().contains("1 more deviation(s)"), seq.detail());
    }

    @Test
    void appraise_evilCommandLineBeforeGenuine_refusedAtBootComponents() throws Exception {
        TestEvidence.Scenario s = with(insert(text("grub_cmd: linux"),
                string(GrubEvents.KERNEL_CMDLINE_PREFIX, "/vmlinuz-6.6.0 " + CMDLINE + " init=/bin/sh")));

        Check seq = refusedSequence(s);

        assertTrue(seq.actual().contains("init=/bin/sh"), seq.actual());
        Refused r = refused(Verifier.appraise(s.input().build()));
        assertEquals(CMDLINE, check(r, Stage.BOOT_COMPONENTS, "kernel-cmdline").actual());
    }

    @Test
    void appraise_evilCommandLineAfterGenuine_refusedAtBootComponents() throws Exception {
        TestEvidence.Scenario s = with(insert(null,
                string(GrubEvents.KERNEL_CMDLINE_PREFIX, "/vmlinuz-6.6.0 " + CMDLINE + " init=/bin/sh")));

        Check seq = refusedSequence(s);

        assertTrue(seq.actual().contains("init=/bin/sh"), seq.actual());
        Refused r = refused(Verifier.appraise(s.input().build()));
        assertEquals(CMDLINE, check(r, Stage.BOOT_COMPONENTS, "kernel-cmdline").actual(), "the genuine line, not the last");
    }

    @Test
    void appraise_sha512BaselineAgainstSha256RemsWithGenuineSecondBank_refusedAtHashAlg() throws Exception {
        // The REMs (sha-256) hold an evil kernel; the sha-512 bank, which no REM checks, holds the
        // genuine chain the sha-512 baseline describes.
        List<LogEvent> evil = EventLogPredictor.predictEvents(chain(DigestAlgorithm.SHA256, "6.6.0", "evil kernel"));
        BootChain genuine512 = chain(DigestAlgorithm.SHA512, "6.6.0", "kernel");
        List<LogEvent> good = EventLogPredictor.predictEvents(genuine512);
        List<LogEvent> both = new ArrayList<>();
        for (int i = 0; i < evil.size(); i++) {
            LogEvent e = evil.get(i);
            both.add(new LogEvent(e.index(), e.type(), List.of(e.digests().getFirst(), good.get(i).digests().getFirst()),
                    e.data()));
        }
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.tokenEvents = evil;
        s.baseline = new Baseline(DigestAlgorithm.SHA512, genuine512.grubImage(), genuine512.grubCfg().digest(),
                List.of(new KernelEntry(Optional.empty(), genuine512.kernel().digest(), genuine512.initramfs().digest(),
                        Map.of())), Baseline.Form.FLAT, s.baseline.extraFields());

        Refused r = refused(Verifier.appraise(s.input().eventLog(twoBankLog(both)).build()));

        assertEquals(List.of(Stage.BOOT_COMPONENTS), r.failedStages(), r::summary);
        Check c = check(r, Stage.BOOT_COMPONENTS, "hash-alg");
        assertEquals("sha-256 (the token's REM algorithm)", c.expected());
        assertEquals("sha-512", c.actual());
    }

    @Test
    void appraise_decoyEventsInSecondBankOnly_refusedAtEventLog() throws Exception {
        // A decoy kernel event that carries only a sha-512 digest: it enters no sha-256 REM.
        LogEvent decoy = new LogEvent(3, EventType.EV_IPL, List.of(EventDigest.of(sha(DigestAlgorithm.SHA512, "k"))),
                "/vmlinuz-6.6.0\0".getBytes(StandardCharsets.US_ASCII));
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        List<LogEvent> events = new ArrayList<>();
        for (LogEvent e : s.events) {
            events.add(new LogEvent(e.index(), e.type(), List.of(e.digests().getFirst(),
                    EventDigest.of(Digest.zero(DigestAlgorithm.SHA512))), e.data()));
        }
        events.add(1, decoy);

        Refused r = refused(Verifier.appraise(s.input().eventLog(twoBankLog(events)).build()));

        assertEquals(List.of(Stage.EVENT_LOG), r.failedStages(), r::summary);
        assertTrue(check(r, Stage.EVENT_LOG, "parse").detail().contains("no sha256 digest"),
                check(r, Stage.EVENT_LOG, "parse").detail());
    }

    @Test
    void appraise_multiKernelBaseline_affirmsTheOneBootedEntry() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        s.baseline = multiKernel();
        s.events = EventLogPredictor.predictEvents(chain(DigestAlgorithm.SHA256, "5.10.0", "kernel 5.10.0"));
        s.tokenEvents = s.events;

        Affirming a = affirming(Verifier.appraise(s.input().build()));

        assertEquals(sha(DigestAlgorithm.SHA256, "kernel 5.10.0").hex(),
                check(a, Stage.BOOT_COMPONENTS, "kernel (5.10.0)").actual());
        assertEquals(Check.Outcome.PASS, check(a, Stage.BOOT_COMPONENTS, "kernel-cmdline").outcome());
    }

    @Test
    void appraise_multiKernelSecondEntryBootedAfterFirst_refusedAtBootComponents() throws Exception {
        List<LogEvent> events = new ArrayList<>(EventLogPredictor.predictEvents(
                chain(DigestAlgorithm.SHA256, "5.10.0", "kernel 5.10.0")));
        List<LogEvent> other = EventLogPredictor.predictEvents(chain(DigestAlgorithm.SHA256, "6.6.0", "kernel 6.6.0"));
        events.addAll(other.subList(3, other.size())); // linux, kernel, kernel_cmdline, initrd, initramfs of 6.6.0
        TestEvidence.Scenario s = with(events);
        s.baseline = multiKernel();

        Check seq = refusedSequence(s);

        assertTrue(seq.actual().contains("grub_cmd: linux /vmlinuz-6.6.0"), seq.actual());
        assertTrue(seq.detail().contains("4 more deviation(s)"), seq.detail());
    }

    @Test
    void appraise_baselineButEvidenceWithoutEventLog_refusedAtEventLog() throws Exception {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        EvidenceInput in = EvidenceInput.builder(s.token(), s.anchor()).expectedChallenge(s.challenge)
                .referenceRim(s.rim).baseline(ReferenceBaseline.unsigned(HashJson.toBytes(s.baseline))).build();

        Refused r = refused(Verifier.appraise(in));

        assertEquals(List.of(Stage.EVENT_LOG), r.failedStages(), r::summary);
        Check c = check(r, Stage.EVENT_LOG, "replay");
        assertEquals("an event log (a baseline was given)", c.expected());
        assertEquals("no event log", c.actual());
        assertEquals(Check.Outcome.SKIPPED, check(r, Stage.BOOT_COMPONENTS, "boot-components").outcome());
    }

    private static Baseline multiKernel() {
        BootChain a = chain(DigestAlgorithm.SHA256, "5.10.0", "kernel 5.10.0");
        BootChain b = chain(DigestAlgorithm.SHA256, "6.6.0", "kernel 6.6.0");
        return new Baseline(DigestAlgorithm.SHA256, a.grubImage(), a.grubCfg().digest(), List.of(
                new KernelEntry(Optional.of("5.10.0"), a.kernel().digest(), a.initramfs().digest(),
                        Map.of("cmdline", com.fasterxml.jackson.databind.node.TextNode.valueOf(CMDLINE))),
                new KernelEntry(Optional.of("6.6.0"), b.kernel().digest(), b.initramfs().digest(),
                        Map.of("cmdline", com.fasterxml.jackson.databind.node.TextNode.valueOf(CMDLINE)))),
                Baseline.Form.MULTI_KERNEL, Map.of());
    }

    private static byte[] twoBankLog(List<LogEvent> events) throws Exception {
        return EventLogWriter.toBytes(new EventLog(LogFormat.CCEL, new EventLogHeader(0,
                SpecIdEvent.of(List.of(DigestAlgorithm.SHA256, DigestAlgorithm.SHA512))), events));
    }
}
