package dev.cvmfde.client.verify.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cvmfde.client.verify.Check;
import dev.cvmfde.client.verify.Stage;
import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.compare.BaselineComparator;
import dev.cvmfde.refvalues.compare.Component;
import dev.cvmfde.refvalues.compare.ComparisonReport;
import dev.cvmfde.refvalues.compare.ComponentResult;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.KernelEntry;
import java.util.List;
import java.util.Optional;

/**
 * BOOT_COMPONENTS: grub, grub.cfg, kernel and initramfs in the (replay-checked) event log equal
 * hash.json (a missing event fails), the grub strings hash to their logged digests, and the
 * kernel command line equals the baseline's {@value #CMDLINE_FIELD} field: the kernel arguments
 * exactly as grub passes them, without the kernel path (a {@code kernels[]} entry's own
 * {@value #CMDLINE_FIELD} wins over the top-level one).
 */
public final class BootComponentStage {
    /** The hash.json field holding the expected kernel arguments. */
    public static final String CMDLINE_FIELD = "cmdline";

    private BootComponentStage() {
    }

    public static void check(List<LogEvent> events, Baseline baseline, List<Check> out) {
        ComparisonReport report = BaselineComparator.compare(events, baseline);
        for (ComponentResult c : report.components()) {
            String name = c.component().jsonName() + c.kernelVersion().map(v -> " (" + v + ")").orElse("");
            String expected = c.expected().map(Digest::hex).orElse("(not in hash.json)");
            String actual = c.actual().map(Digest::hex).orElse("(no event)");
            out.add(c.passed() ? Check.pass(Stage.BOOT_COMPONENTS, name, expected, actual)
                    : Check.fail(Stage.BOOT_COMPONENTS, name, expected, actual, c.verdict()
                            + c.path().map(p -> " (logged path " + p + ")").orElse("")));
        }
        if (report.integrityFailures().isEmpty()) {
            out.add(Check.pass(Stage.BOOT_COMPONENTS, "grub-strings", "each string hashes to its digest",
                    report.grubCommands().size() + " commands consistent"));
        } else {
            out.add(Check.fail(Stage.BOOT_COMPONENTS, "grub-strings", "each string hashes to its digest",
                    report.integrityFailures().size() + " inconsistent", report.integrityFailures().getFirst()));
        }
        cmdline(report, baseline, out);
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
                    "the event log records no kernel command line (kernel_cmdline: or grub_cmd: linux)"));
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
