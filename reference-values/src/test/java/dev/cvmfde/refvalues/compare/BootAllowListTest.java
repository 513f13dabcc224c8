package dev.cvmfde.refvalues.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.compare.SequenceDeviation.Kind;
import dev.cvmfde.refvalues.eventlog.EventDigest;
import dev.cvmfde.refvalues.eventlog.EventType;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.KernelEntry;
import dev.cvmfde.refvalues.predict.BootChain;
import dev.cvmfde.refvalues.predict.EventLogPredictor;
import dev.cvmfde.refvalues.predict.MeasuredFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The allow-list: the predicted log of a boot chain passes exactly; each event an attacker adds,
 * drops or moves (with the token's REMs made to match, so only the allow-list can refuse) fails
 * with a deviation naming the event, what was allowed there and what the log holds.
 */
class BootAllowListTest {
    private static final String ARGS = "root=/dev/mapper/encroot ro console=ttyAMA0";
    private static final DigestAlgorithm SHA256 = DigestAlgorithm.SHA256;

    static Digest sha(DigestAlgorithm alg, String s) {
        return Digest.of(alg, s.getBytes(StandardCharsets.UTF_8));
    }

    static BootChain chain(DigestAlgorithm alg, String version, String args) {
        return new BootChain(sha(alg, "grubaa64.efi"), new MeasuredFile("/grub/grub.cfg", sha(alg, "grub.cfg")),
                List.of("set root=(hd0,gpt1)", "insmod gzio"),
                new MeasuredFile("/vmlinuz-" + version, sha(alg, "kernel " + version)), args,
                new MeasuredFile("/initramfs-" + version + ".img", sha(alg, "initramfs " + version)));
    }

    static Baseline flat(BootChain c) {
        return Baseline.flat(c.grubImage(), c.grubCfg().digest(), c.kernel().digest(), c.initramfs().digest());
    }

    static List<LogEvent> genuine() {
        return EventLogPredictor.predictEvents(chain(SHA256, "6.6.0", ARGS));
    }

    static LogEvent string(String prefix, String body) {
        return new LogEvent(3, EventType.EV_IPL, List.of(EventDigest.of(sha(SHA256, body))),
                (prefix + body + "\0").getBytes(StandardCharsets.UTF_8));
    }

    static LogEvent file(String path, String content) {
        return new LogEvent(3, EventType.EV_IPL, List.of(EventDigest.of(sha(SHA256, content))),
                (path + "\0").getBytes(StandardCharsets.UTF_8));
    }

    static LogEvent application(String content) {
        return new LogEvent(2, EventType.EV_EFI_BOOT_SERVICES_APPLICATION, List.of(EventDigest.of(sha(SHA256, content))),
                new byte[32]);
    }

    /** The genuine log with {@code extra} inserted before the first event {@code at} matches ({@code null}: at the end). */
    static List<LogEvent> insert(Predicate<LogEvent> at, LogEvent... extra) {
        List<LogEvent> out = new ArrayList<>(genuine());
        int i = at == null ? out.size() : indexOf(out, at);
        out.addAll(i, Arrays.asList(extra));
        return out;
    }

    static int indexOf(List<LogEvent> events, Predicate<LogEvent> p) {
        for (int i = 0; i < events.size(); i++) {
            if (p.test(events.get(i))) {
                return i;
            }
        }
        throw new IllegalArgumentException("no such event");
    }

    static Predicate<LogEvent> text(String prefix) {
        return e -> e.dataAsText().startsWith(prefix);
    }

    static ComparisonReport compare(List<LogEvent> events) {
        return BaselineComparator.compare(events, SHA256, flat(chain(SHA256, "6.6.0", ARGS)));
    }

    static SequenceDeviation only(ComparisonReport r) {
        assertFalse(r.passed());
        assertEquals(1, r.deviations().size(), () -> r.deviations().toString());
        return r.deviations().getFirst();
    }

    static Verdict verdict(ComparisonReport r, Component c) {
        return r.components().stream().filter(x -> x.component() == c).findFirst().orElseThrow().verdict();
    }

    @Test
    void compare_genuinePredictedLog_passesWithNoDeviation() {
        ComparisonReport r = compare(genuine());

        assertTrue(r.passed(), () -> r.toString());
        assertEquals(List.of(), r.deviations());
        assertEquals("/vmlinuz-6.6.0 " + ARGS, r.kernelCommandLine().orElseThrow());
        assertEquals(List.of("set root=(hd0,gpt1)", "insmod gzio", "linux /vmlinuz-6.6.0 " + ARGS,
                "initrd /initramfs-6.6.0.img"), r.grubCommands());
    }

    @Test
    void compare_firmwareEventsAndNoActionAnywhere_pass() {
        List<LogEvent> events = new ArrayList<>(genuine());
        events.addFirst(new LogEvent(1, EventType.EV_EFI_VARIABLE_DRIVER_CONFIG,
                List.of(EventDigest.of(sha(SHA256, "SecureBoot"))), new byte[8]));
        events.addFirst(new LogEvent(1, EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB2,
                List.of(EventDigest.of(sha(SHA256, "fv"))), new byte[8]));
        events.add(1, new LogEvent(2, EventType.EV_SEPARATOR, List.of(EventDigest.of(sha(SHA256, "sep"))), new byte[4]));
        events.add(new LogEvent(0, EventType.EV_NO_ACTION, List.of(EventDigest.of(Digest.zero(SHA256))), new byte[17]));
        events.add(new LogEvent(3, EventType.EV_NO_ACTION, List.of(EventDigest.of(Digest.zero(SHA256))), new byte[3]));

        ComparisonReport r = compare(events);

        assertTrue(r.passed(), () -> r.deviations().toString());
    }

    @Test
    void compare_index0Decoys_refusedAsIndex0Event() {
        List<LogEvent> events = new ArrayList<>(genuine());
        LogEvent cfg = events.get(indexOf(events, e -> e.dataAsText().endsWith("grub.cfg")));
        events.addFirst(new LogEvent(0, cfg.type(), cfg.digests(), cfg.data()));

        SequenceDeviation d = only(compare(events));

        assertEquals(Kind.INDEX_0_EVENT, d.kind());
        assertEquals(1, d.event());
        assertTrue(d.actual().contains("grub.cfg"), d.actual());
    }

    @Test
    void compare_extraEfiApplicationBeforeGrub_grubMismatchAndSecondApplicationNotAllowed() {
        ComparisonReport r = compare(insert(e -> e.type() == EventType.EV_EFI_BOOT_SERVICES_APPLICATION,
                application("shim that loads anything")));

        assertEquals(Verdict.MISMATCH, verdict(r, Component.GRUB));
        SequenceDeviation d = only(r);
        assertEquals(Kind.NOT_ALLOWED, d.kind());
        assertEquals(2, d.event());
        assertTrue(d.actual().contains(sha(SHA256, "grubaa64.efi").hex()), d.actual());
    }

    @Test
    void compare_extraEfiApplicationAfterGrub_notAllowed() {
        SequenceDeviation d = only(compare(insert(text("/grub/grub.cfg"), application("another loader"))));

        assertEquals(Kind.NOT_ALLOWED, d.kind());
        assertEquals(2, d.mrIndex());
    }

    @Test
    void compare_secondKernelAfterGenuine_notAllowed() {
        ComparisonReport r = compare(insert(null, string(GrubEvents.GRUB_CMD_PREFIX, "linux /vmlinuz-evil " + ARGS),
                file("/vmlinuz-evil", "evil kernel"), string(GrubEvents.KERNEL_CMDLINE_PREFIX, "/vmlinuz-evil " + ARGS)));

        assertEquals(Verdict.MATCH, verdict(r, Component.KERNEL));
        assertFalse(r.passed());
        assertEquals(3, r.deviations().size(), () -> r.deviations().toString());
        assertTrue(r.deviations().stream().allMatch(d -> d.kind() == Kind.NOT_ALLOWED));
        assertTrue(r.deviations().getFirst().actual().contains("linux /vmlinuz-evil"));
    }

    @Test
    void compare_secondInitrdFileAfterGenuine_notAllowed() {
        SequenceDeviation d = only(compare(insert(null, file("/initramfs-evil.img", "evil initramfs"))));

        assertEquals(Kind.NOT_ALLOWED, d.kind());
        assertTrue(d.actual().contains("/initramfs-evil.img"), d.actual());
    }

    @Test
    void compare_initrdCommandWithTwoPaths_notAllowed() {
        List<LogEvent> events = new ArrayList<>(genuine());
        int i = indexOf(events, text("grub_cmd: initrd"));
        events.set(i, string(GrubEvents.GRUB_CMD_PREFIX, "initrd /initramfs-6.6.0.img /evil.img"));
        events.add(file("/evil.img", "evil initramfs"));

        ComparisonReport r = compare(events);

        assertEquals(Verdict.MATCH, verdict(r, Component.INITRAMFS));
        assertEquals(2, r.deviations().size(), () -> r.deviations().toString());
        assertTrue(r.deviations().stream().allMatch(d -> d.kind() == Kind.NOT_ALLOWED));
    }

    @Test
    void compare_evilCommandLineBeforeGenuine_notAllowedAndGenuineKept() {
        ComparisonReport r = compare(insert(text("grub_cmd: linux"),
                string(GrubEvents.KERNEL_CMDLINE_PREFIX, "/vmlinuz-6.6.0 " + ARGS + " init=/bin/sh")));

        SequenceDeviation d = only(r);
        assertEquals(Kind.NOT_ALLOWED, d.kind());
        assertTrue(d.actual().contains("init=/bin/sh"), d.actual());
        assertEquals("/vmlinuz-6.6.0 " + ARGS, r.kernelCommandLine().orElseThrow());
    }

    @Test
    void compare_evilCommandLineAfterGenuine_notAllowedAndGenuineKept() {
        ComparisonReport r = compare(insert(null,
                string(GrubEvents.KERNEL_CMDLINE_PREFIX, "/vmlinuz-6.6.0 " + ARGS + " init=/bin/sh")));

        assertEquals(Kind.NOT_ALLOWED, only(r).kind());
        assertEquals("/vmlinuz-6.6.0 " + ARGS, r.kernelCommandLine().orElseThrow());
    }

    @Test
    void compare_kernelCmdlineOtherThanLinuxCommand_notAllowed() {
        List<LogEvent> events = new ArrayList<>(genuine());
        int i = indexOf(events, text("kernel_cmdline: "));
        events.set(i, string(GrubEvents.KERNEL_CMDLINE_PREFIX, "/vmlinuz-6.6.0 " + ARGS + " single"));

        SequenceDeviation d = only(compare(events));

        assertEquals(Kind.NOT_ALLOWED, d.kind());
        assertEquals("kernel_cmdline: /vmlinuz-6.6.0 " + ARGS + " (the linux command's)", d.expected());
    }

    @Test
    void compare_unknownFileAndForbiddenCommand_notAllowed() {
        ComparisonReport r = compare(insert(text("grub_cmd: linux"), string(GrubEvents.GRUB_CMD_PREFIX, "rmmod tpm"),
                file("/grub/x86_64-efi/evil.mod", "module")));

        assertEquals(2, r.deviations().size(), () -> r.deviations().toString());
        assertTrue(r.deviations().stream().allMatch(d -> d.kind() == Kind.NOT_ALLOWED));
    }

    @Test
    void compare_kernelBeforeGrubCfg_outOfOrder() {
        List<LogEvent> events = new ArrayList<>(genuine());
        LogEvent cfg = events.remove(indexOf(events, e -> e.dataAsText().endsWith("grub.cfg")));
        events.add(indexOf(events, text("grub_cmd: initrd")), cfg);

        ComparisonReport r = compare(events);

        assertFalse(r.passed());
        assertEquals(Kind.OUT_OF_ORDER, r.deviations().getFirst().kind());
        assertEquals(Verdict.MISSING_EVENT, verdict(r, Component.KERNEL));
    }

    @Test
    void compare_logEndingBeforeInitrd_missing() {
        List<LogEvent> events = new ArrayList<>(genuine());
        events.removeLast();

        SequenceDeviation d = only(compare(events));

        assertEquals(Kind.MISSING, d.kind());
        assertEquals(Verdict.MISSING_EVENT, verdict(compare(events), Component.INITRAMFS));
    }

    @Test
    void compare_eventInRem3_notAllowed() {
        SequenceDeviation d = only(compare(insert(null, new LogEvent(4, EventType.EV_IPL,
                List.of(EventDigest.of(sha(SHA256, "x"))), new byte[1]))));

        assertEquals(Kind.NOT_ALLOWED, d.kind());
        assertEquals(4, d.mrIndex());
    }

    @Test
    void compare_sha512BaselineAgainstSha256Registers_algorithmMismatch() {
        Baseline sha512 = flat(chain(DigestAlgorithm.SHA512, "6.6.0", ARGS));

        ComparisonReport r = BaselineComparator.compare(genuine(), SHA256, sha512);

        assertFalse(r.passed());
        SequenceDeviation d = r.deviations().getFirst();
        assertEquals(Kind.ALGORITHM_MISMATCH, d.kind());
        assertEquals("hash_alg sha-256 (the bank of the registers)", d.expected());
        assertEquals("hash_alg sha-512", d.actual());
    }

    @Test
    void compare_decoyEventsInSecondBankOnly_comparedInRegisterBankAndRefused() {
        // The baseline is sha-512; the registers are sha-512: the genuine sha-512 events are
        // compared, and a decoy with only a sha-256 digest (no sha-512 one) is refused.
        BootChain c = chain(DigestAlgorithm.SHA512, "6.6.0", ARGS);
        List<LogEvent> events = new ArrayList<>(EventLogPredictor.predictEvents(c));
        events.add(file("/vmlinuz-evil", "evil"));

        SequenceDeviation d = only(BaselineComparator.compare(events, DigestAlgorithm.SHA512, flat(c)));

        assertEquals(Kind.NO_DIGEST_IN_BANK, d.kind());
    }

    /** Both chains' kernels as entries, {@code b}'s first. */
    static Baseline multiKernel(BootChain a, BootChain b) {
        return Baseline.multiKernel(a.grubImage(), a.grubCfg().digest(), List.of(
                new KernelEntry("5.10.0", b.kernel().digest(), b.initramfs().digest()),
                new KernelEntry("6.6.0", a.kernel().digest(), a.initramfs().digest())));
    }

    @Test
    void compare_multiKernelBaseline_selectsExactlyTheBootedEntry() {
        BootChain a = chain(SHA256, "6.6.0", ARGS);
        BootChain b = chain(SHA256, "5.10.0", ARGS);
        Baseline multi = multiKernel(a, b);

        ComparisonReport r = BaselineComparator.compare(EventLogPredictor.predictEvents(b), SHA256, multi);

        assertTrue(r.passed(), () -> r.toString());
        ComponentResult k = r.components().stream().filter(x -> x.component() == Component.KERNEL).findFirst()
                .orElseThrow();
        assertEquals(Optional.of("5.10.0"), k.kernelVersion());
        assertEquals(b.kernel().digest(), k.expected().orElseThrow());
    }

    @Test
    void compare_multiKernelSecondEntryBootedAfterFirst_notAllowed() {
        BootChain a = chain(SHA256, "6.6.0", ARGS);
        BootChain b = chain(SHA256, "5.10.0", ARGS);
        Baseline multi = multiKernel(a, b);
        List<LogEvent> events = new ArrayList<>(EventLogPredictor.predictEvents(a));
        List<LogEvent> second = EventLogPredictor.predictEvents(b);
        events.addAll(second.subList(indexOf(second, text("grub_cmd: linux")), second.size()));

        ComparisonReport r = BaselineComparator.compare(events, SHA256, multi);

        assertEquals(Verdict.MATCH, verdict(r, Component.KERNEL));
        assertFalse(r.passed());
        assertEquals(5, r.deviations().size(), () -> r.deviations().toString());
        assertTrue(r.deviations().stream().allMatch(d -> d.kind() == Kind.NOT_ALLOWED));
    }

    @Test
    void compare_multiKernelKernelOfOneEntryInitrdOfAnother_initramfsMismatch() {
        BootChain a = chain(SHA256, "6.6.0", ARGS);
        BootChain b = chain(SHA256, "5.10.0", ARGS);
        Baseline multi = multiKernel(a, b);
        BootChain mixed = new BootChain(a.grubImage(), a.grubCfg(), a.commandsBeforeLinux(), a.kernel(), ARGS,
                b.initramfs());

        ComparisonReport r = BaselineComparator.compare(EventLogPredictor.predictEvents(mixed), SHA256, multi);

        assertEquals(Verdict.MATCH, verdict(r, Component.KERNEL));
        assertEquals(Verdict.MISMATCH, verdict(r, Component.INITRAMFS));
        assertFalse(r.passed());
    }

    @Test
    void compare_tpmLog_pcrsMappedToMrIndices() {
        assertEquals(1, BaselineComparator.mrIndexOfPcr(0));
        assertEquals(1, BaselineComparator.mrIndexOfPcr(7));
        assertEquals(2, BaselineComparator.mrIndexOfPcr(4));
        assertEquals(3, BaselineComparator.mrIndexOfPcr(9));
        assertEquals(4, BaselineComparator.mrIndexOfPcr(16));
    }
}
