package dev.cvmfde.refvalues.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.cli.ReferenceValuesCli;
import dev.cvmfde.refvalues.compare.BaselineComparator;
import dev.cvmfde.refvalues.compare.Component;
import dev.cvmfde.refvalues.compare.ComparisonReport;
import dev.cvmfde.refvalues.compare.ComponentResult;
import dev.cvmfde.refvalues.compare.Verdict;
import dev.cvmfde.refvalues.eventlog.EventDigest;
import dev.cvmfde.refvalues.eventlog.EventLog;
import dev.cvmfde.refvalues.eventlog.EventLogLimits;
import dev.cvmfde.refvalues.eventlog.EventLogReader;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.HashJson;
import dev.cvmfde.refvalues.hashjson.KernelEntry;
import dev.cvmfde.refvalues.measure.BootMeasurer;
import dev.cvmfde.refvalues.testing.Fixtures;
import dev.cvmfde.refvalues.replay.Registers;
import dev.cvmfde.refvalues.replay.Replayer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictCompareTest {
    private static final String V = "6.6.0-28.0.0.34.oe2403.aarch64";
    private static final String ARGS = "root=/dev/mapper/encroot ro console=ttyAMA0";

    private static BootChain chain(Path boot) throws Exception {
        return BootChain.fromFiles(DigestAlgorithm.SHA256, boot.resolve("EFI/debian/grubx64.efi"),
                boot.resolve("grub/grub.cfg"), "(hd0,gpt1)/grub/grub.cfg", List.of("set timeout=0", "insmod gzio"),
                boot.resolve("vmlinuz-" + V), "/vmlinuz-" + V, ARGS, boot.resolve("initramfs-" + V + ".img"),
                "/initramfs-" + V + ".img");
    }

    private static Verdict verdict(ComparisonReport r, Component c) {
        return r.components().stream().filter(x -> x.component() == c).findFirst().orElseThrow().verdict();
    }

    @Test
    void compare_predictedLogAgainstMeasuredBaseline_passes(@TempDir Path dir) throws Exception {
        Path boot = Fixtures.bootDir(dir.resolve("boot"), V);
        Baseline baseline = BootMeasurer.measure(boot, List.of(), DigestAlgorithm.SHA256, false);
        Path log = dir.resolve("predicted.ccel");
        EventLogPredictor.write(chain(boot), log);
        EventLog read = EventLogReader.readAll(log, LogFormat.CCEL, EventLogLimits.DEFAULT);
        ComparisonReport report = BaselineComparator.compare(read.events(), baseline);
        assertTrue(report.passed(), report.toString());
        assertEquals(4, report.components().size());
        assertEquals("/vmlinuz-" + V + " " + ARGS, report.kernelCommandLine().orElseThrow());
        assertEquals(List.of("set timeout=0", "insmod gzio", "linux /vmlinuz-" + V + " " + ARGS,
                "initrd /initramfs-" + V + ".img"), report.grubCommands());
        assertEquals(0, ReferenceValuesCli.commandLine().execute("compare", "--event-log", log.toString(), "--ccel",
                "--hash-json", writeBaseline(dir, baseline).toString()));
    }

    private static Path writeBaseline(Path dir, Baseline b) throws Exception {
        Path p = dir.resolve("hash.json");
        HashJson.write(b, p);
        return p;
    }

    @Test
    void predictRems_bootChain_equalsHandComputedExtends(@TempDir Path dir) throws Exception {
        Path boot = Fixtures.bootDir(dir.resolve("boot"), V);
        BootChain c = chain(boot);
        Registers rems = EventLogPredictor.predictRems(c);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] rem1 = md.digest(concat(new byte[32], c.grubImage().value()));
        assertEquals(new Digest(DigestAlgorithm.SHA256, rem1), rems.get(1));
        byte[] rem2 = new byte[32];
        List<byte[]> seq = new ArrayList<>();
        seq.add(c.grubCfg().digest().value());
        for (String s : List.of("set timeout=0", "insmod gzio", "linux /vmlinuz-" + V + " " + ARGS)) {
            seq.add(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        }
        seq.add(c.kernel().digest().value());
        seq.add(md.digest(("/vmlinuz-" + V + " " + ARGS).getBytes(StandardCharsets.UTF_8)));
        seq.add(md.digest(("initrd /initramfs-" + V + ".img").getBytes(StandardCharsets.UTF_8)));
        seq.add(c.initramfs().digest().value());
        for (byte[] d : seq) {
            rem2 = md.digest(concat(rem2, d));
        }
        assertEquals(new Digest(DigestAlgorithm.SHA256, rem2), rems.get(2));
        assertEquals(Digest.zero(DigestAlgorithm.SHA256), rems.get(0));
        assertEquals(rems, Replayer.replay(EventLogPredictor.predictEvents(c), LogFormat.CCEL, DigestAlgorithm.SHA256));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void compare_missingInitramfsEvent_failsAsMissing(@TempDir Path dir) throws Exception {
        Path boot = Fixtures.bootDir(dir.resolve("boot"), V);
        Baseline b = BootMeasurer.measure(boot, List.of(), DigestAlgorithm.SHA256, false);
        List<LogEvent> events = new ArrayList<>(EventLogPredictor.predictEvents(chain(boot)));
        events.removeLast();
        ComparisonReport r = BaselineComparator.compare(events, b);
        assertEquals(Verdict.MISSING_EVENT, verdict(r, Component.INITRAMFS));
        assertFalse(r.passed());
        ComparisonReport none = BaselineComparator.compare(List.of(), b);
        assertTrue(none.components().stream().allMatch(c -> c.verdict() == Verdict.MISSING_EVENT));
        assertFalse(none.passed());
    }

    @Test
    void compare_tamperedKernel_failsAsMismatch(@TempDir Path dir) throws Exception {
        Path boot = Fixtures.bootDir(dir.resolve("boot"), V);
        Baseline b = BootMeasurer.measure(boot, List.of(), DigestAlgorithm.SHA256, false);
        BootChain c = chain(boot);
        BootChain evil = new BootChain(c.grubImage(), c.grubCfg(), c.commandsBeforeLinux(),
                new MeasuredFile(c.kernel().path(), Digest.of(DigestAlgorithm.SHA256, new byte[1])),
                c.kernelArguments(), c.initramfs());
        ComparisonReport r = BaselineComparator.compare(EventLogPredictor.predictEvents(evil), b);
        assertEquals(Verdict.MISMATCH, verdict(r, Component.KERNEL));
        assertEquals(Verdict.MATCH, verdict(r, Component.INITRAMFS));
        assertFalse(r.passed());
        Path log = dir.resolve("evil.ccel");
        EventLogPredictor.write(evil, log);
        assertEquals(ReferenceValuesCli.EXIT_REFUSED, ReferenceValuesCli.commandLine().execute("compare",
                "--event-log", log.toString(), "--ccel", "--hash-json", writeBaseline(dir, b).toString()));
    }

    @Test
    void compare_commandTextNotMatchingDigest_reportedAsIntegrityFailure(@TempDir Path dir) throws Exception {
        Path boot = Fixtures.bootDir(dir.resolve("boot"), V);
        Baseline b = BootMeasurer.measure(boot, List.of(), DigestAlgorithm.SHA256, false);
        List<LogEvent> events = new ArrayList<>();
        for (LogEvent e : EventLogPredictor.predictEvents(chain(boot))) {
            String t = e.dataAsText();
            if (t.startsWith("kernel_cmdline: ")) {
                byte[] forged = (t.replace("encroot", "plainrt") + "\0").getBytes(StandardCharsets.UTF_8);
                e = new LogEvent(e.index(), e.type(), e.digests(), forged);
            }
            events.add(e);
        }
        ComparisonReport r = BaselineComparator.compare(events, b);
        assertEquals(1, r.integrityFailures().size());
        assertFalse(r.passed());
        // a string that does not hash to its digest proves nothing: it holds no place in the sequence
        assertTrue(r.kernelCommandLine().isEmpty());
    }

    @Test
    void compare_multiKernelBaseline_selectsBootedVersion(@TempDir Path dir) throws Exception {
        Path boot = Fixtures.bootDir(dir.resolve("boot"), V, "5.10.0-1");
        Baseline multi = BootMeasurer.measure(boot, List.of(), DigestAlgorithm.SHA256, false);
        assertEquals(Baseline.Form.MULTI_KERNEL, multi.form());
        ComparisonReport r = BaselineComparator.compare(EventLogPredictor.predictEvents(chain(boot)), multi);
        assertTrue(r.passed(), r.toString());
        ComponentResult k = r.components().stream().filter(x -> x.component() == Component.KERNEL).findFirst()
                .orElseThrow();
        assertEquals(V, k.kernelVersion().orElseThrow());
        Baseline other = Baseline.multiKernel(multi.grub(), multi.grubCfg(), List.of(multi.kernel("5.10.0-1")
                .orElseThrow()));
        ComparisonReport r2 = BaselineComparator.compare(EventLogPredictor.predictEvents(chain(boot)), other);
        assertEquals(Verdict.NOT_IN_BASELINE, verdict(r2, Component.KERNEL));
        assertFalse(r2.passed());
    }

    @Test
    void compare_noGrubApplicationEvent_failsAsMissing(@TempDir Path dir) throws Exception {
        Path boot = Fixtures.bootDir(dir.resolve("boot"), V);
        Baseline b = BootMeasurer.measure(boot, List.of(), DigestAlgorithm.SHA256, false);
        List<LogEvent> events = new ArrayList<>(EventLogPredictor.predictEvents(chain(boot)));
        events.removeFirst();
        assertEquals(Verdict.MISSING_EVENT, verdict(BaselineComparator.compare(events, b), Component.GRUB));
        List<LogEvent> wrongGrub = new ArrayList<>(EventLogPredictor.predictEvents(chain(boot)));
        LogEvent g = wrongGrub.getFirst();
        wrongGrub.set(0, new LogEvent(g.index(), g.type(),
                List.of(EventDigest.of(Digest.of(DigestAlgorithm.SHA256, new byte[2]))), g.data()));
        assertEquals(Verdict.MISMATCH, verdict(BaselineComparator.compare(wrongGrub, b), Component.GRUB));
        KernelEntry unused = b.kernels().getFirst();
        assertTrue(unused.version().isEmpty());
    }
}
