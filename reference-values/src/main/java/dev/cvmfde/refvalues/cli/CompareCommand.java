package dev.cvmfde.refvalues.cli;

import dev.cvmfde.refvalues.compare.BaselineComparator;
import dev.cvmfde.refvalues.compare.ComparisonReport;
import dev.cvmfde.refvalues.compare.ComponentResult;
import dev.cvmfde.refvalues.eventlog.EventLogLimits;
import dev.cvmfde.refvalues.eventlog.EventLogReader;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.HashJson;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Compares an event log's boot chain with hash.json. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare the boot components an event log records (grub, grub.cfg, kernel, initramfs) "
            + "with hash.json and print expected, actual and a verdict for each.",
            "The measured events must be exactly the sequence hash.json allows (see the README): a component "
                + "without an event fails, and so does any extra, out-of-order or MR-0 event.",
            "Events are compared in hash.json's hash_alg bank. Exit code 3 when anything fails."})
final class CompareCommand implements Callable<Integer> {
    @Mixin
    EventLogOptions log;

    @Option(names = "--hash-json", required = true, description = "the baseline")
    Path hashJson;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Baseline b = HashJson.read(hashJson);
        ComparisonReport report;
        try (EventLogReader r = EventLogReader.open(log.eventLog, log.format(), EventLogLimits.DEFAULT)) {
            report = BaselineComparator.compare(r, b);
        }
        PrintWriter out = spec.commandLine().getOut();
        for (ComponentResult c : report.components()) {
            out.printf("%-9s %-14s expected=%s actual=%s%s%s%n", c.component().jsonName(), c.verdict(),
                    c.expected().map(d -> d.hex()).orElse("-"), c.actual().map(d -> d.hex()).orElse("-"),
                    c.kernelVersion().map(v -> " version=" + v).orElse(""), c.path().map(p -> " path=" + p).orElse(""));
        }
        report.kernelCommandLine().ifPresent(k -> out.println("kernel_cmdline: " + k));
        report.grubCommands().forEach(c -> out.println("grub_cmd: " + c));
        report.integrityFailures().forEach(f -> out.println("INTEGRITY FAILURE: " + f));
        report.deviations().forEach(d -> out.println("NOT ALLOWED: " + d.summary()));
        out.println(report.passed() ? "result: PASS" : "result: REFUSED");
        out.flush();
        return report.passed() ? ReferenceValuesCli.EXIT_OK : ReferenceValuesCli.EXIT_REFUSED;
    }
}
