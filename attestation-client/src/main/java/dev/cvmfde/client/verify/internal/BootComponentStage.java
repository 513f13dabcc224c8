package dev.cvmfde.client.verify.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cvmfde.client.verify.Check;
import dev.cvmfde.client.verify.Stage;
import dev.cvmfde.protocol.token.RealmClaims;
import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.compare.BaselineComparator;
import dev.cvmfde.refvalues.compare.Component;
import dev.cvmfde.refvalues.compare.ComparisonReport;
import dev.cvmfde.refvalues.compare.ComponentResult;
import dev.cvmfde.refvalues.compare.SequenceDeviation;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.KernelEntry;
import java.util.List;
import java.util.Optional;

/**
 * BOOT_COMPONENTS: the replay-checked events of the log, in the token's REM bank, are exactly the
 * sequence hash.json allows ({@code BootAllowList}: one grub, grub.cfg, the grub commands, one
 * kernel, its initramfs, the command line; nothing missing, extra or out of order). hash.json's
 * {@code hash_alg} must be the token's REM algorithm. Grub, grub.cfg, kernel and initramfs equal
 * hash.json, the grub strings hash to their logged digests, and the kernel command line equals the
 * baseline's {@value #CMDLINE_FIELD} field: the kernel arguments exactly as grub passes them,
 * without the kernel path (a {@code kernels[]} entry's own {@value #CMDLINE_FIELD} wins over the
 * top-level one).
 */
public final class BootComponentStage {
    /** The hash.json field holding the expected kernel arguments. */
    public static final String CMDLINE_FIELD = "cmdline";

    private BootComponentStage() {
    }

    /** {@code events}: the log's events, already replayed to the REMs of {@code realm}. */
    public static void check(List<LogEvent> events, RealmClaims realm, Baseline baseline, List<Check> out) {
        check(events, AppraisalStages.digestAlgorithm(realm.hashAlgorithm()), realm.hashAlgorithm().claimName()
                + " (the token's REM algorithm)", baseline, out);
    }

    /**
     * {@code events}: already replay-checked, their indices CC MR indices (a TPM log's PCRs mapped
     * by {@code BaselineComparator.toMrIndices}); {@code bankName}: what the registers were, for the table.
     */
    public static void check(List<LogEvent> events, DigestAlgorithm bank, String bankName, Baseline baseline,
            List<Check> out) {
        String remAlg = bankName;
        String baselineAlg = baseline.hashAlg().hashJsonName().orElse(baseline.hashAlg().bankName());
        if (baseline.hashAlg() != bank) {
            out.add(Check.fail(Stage.BOOT_COMPONENTS, "hash-alg", remAlg, baselineAlg,
                    "hash.json's hash_alg is not the algorithm of the REMs the events were replayed into, so its "
                            + "digests cannot be compared with what was measured"));
            return;
        }
        out.add(Check.pass(Stage.BOOT_COMPONENTS, "hash-alg", remAlg, baselineAlg));
        ComparisonReport report = BaselineComparator.compare(events, bank, baseline);
        for (ComponentResult c : report.components()) {
            String name = c.component().jsonName() + c.kernelVersion().map(v -> " (" + v + ")").orElse("");
            String expected = c.expected().map(Digest::hex).orElse("(not in hash.json)");
            String actual = c.actual().map(Digest::hex).orElse("(no event)");
            out.add(c.passed() ? Check.pass(Stage.BOOT_COMPONENTS, name, expected, actual)
                    : Check.fail(Stage.BOOT_COMPONENTS, name, expected, actual, c.verdict()
                            + c.path().map(p -> " (logged path " + p + ")").orElse("")));
        }
        sequence(report, out);
        if (report.integrityFailures().isEmpty()) {
            out.add(Check.pass(Stage.BOOT_COMPONENTS, "grub-strings", "each string hashes to its digest",
                    report.grubCommands().size() + " commands consistent"));
        } else {
            out.add(Check.fail(Stage.BOOT_COMPONENTS, "grub-strings", "each string hashes to its digest",
                    report.integrityFailures().size() + " inconsistent", report.integrityFailures().getFirst()));
        }
        cmdline(report, baseline, out);
    }

    /** "event-sequence": every measured event has its place in the allowed sequence; else the first that has none. */
    private static void sequence(ComparisonReport report, List<Check> out) {
        List<SequenceDeviation> d = report.deviations();
        if (d.isEmpty()) {
            out.add(Check.pass(Stage.BOOT_COMPONENTS, "event-sequence", "exactly the events hash.json allows",
                    "no event missing, extra or out of order"));
            return;
        }
        SequenceDeviation first = d.getFirst();
        String where = first.event() == 0 ? "at the end of the log" : "event " + first.event() + " (MR "
                + first.mrIndex() + ")";
        out.add(Check.fail(Stage.BOOT_COMPONENTS, "event-sequence", first.expected(), first.actual(),
                first.kind() + " " + where + (d.size() > 1 ? "; " + (d.size() - 1) + " more deviation(s)" : "")));
    }

    private static void cmdline(ComparisonReport report, Baseline baseline, List<Check> out) {
        Optional<String> version = report.components().stream().filter(c -> c.component() == Component.KERNEL)
                .findFirst().flatMap(ComponentResult::kernelVersion);
        Optional<String> expected = version.flatMap(baseline::kernel).flatMap(BootComponentStage::field)
                .or(() -> text(baseline.extraFields().get(CMDLINE_FIELD)));
        Optional<String> actual = report.kernelCommandLine().map(BootComponentStage::arguments);
        if (expected.isEmpty()) {
            out.add(Check.skipped(Stage.BOOT_COMPONENTS, "kernel-cmdline", "hash.json has no \"" + CMDLINE_FIELD
                    + "\" field, so the kernel command line is not pinned; logged: " + actual.orElse("(none)")));
            return;
        }
        if (actual.isEmpty()) {
            out.add(Check.fail(Stage.BOOT_COMPONENTS, "kernel-cmdline", expected.get(), "(no event)",
                    "the event log records no kernel command line (kernel_cmdline:, right after the kernel file)"));
        } else if (!expected.get().equals(actual.get())) {
            out.add(Check.fail(Stage.BOOT_COMPONENTS, "kernel-cmdline", expected.get(), actual.get(),
                    "the kernel command line differs from hash.json \"" + CMDLINE_FIELD + "\""));
        } else {
            out.add(Check.pass(Stage.BOOT_COMPONENTS, "kernel-cmdline", expected.get(), actual.get()));
        }
    }

    private static Optional<String> field(KernelEntry k) {
        return text(k.extraFields().get(CMDLINE_FIELD));
    }

    private static Optional<String> text(JsonNode n) {
        // a non-string value is kept as its JSON text, so it can never match and the check fails
        return n == null ? Optional.empty() : Optional.of(n.isTextual() ? n.textValue() : n.toString());
    }

    /** {@code "/vmlinuz-6.6 root=… ro"} → {@code "root=… ro"}: grub logs the kernel path first. */
    static String arguments(String logged) {
        int sp = logged.indexOf(' ');
        return sp < 0 ? "" : logged.substring(sp + 1);
    }
}
