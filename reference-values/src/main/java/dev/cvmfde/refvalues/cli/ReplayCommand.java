package dev.cvmfde.refvalues.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventLogLimits;
import dev.cvmfde.refvalues.eventlog.EventLogReader;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.replay.Registers;
import dev.cvmfde.refvalues.replay.Replayer;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Replays an event log and prints the registers. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Replay an event log: every register starts at zeros, each event extends it, "
            + "R = H(R || digest).", "TPM logs: prints the PCRs that events extended (like tpm2_eventlog).",
            "CCEL logs (--ccel): prints REM[0..3]."})
final class ReplayCommand implements Callable<Integer> {
    @Mixin
    EventLogOptions log;

    @Option(names = "--bank", defaultValue = "sha256", description = "sha1, sha256 (default), sha384 or sha512")
    String bank;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DigestAlgorithm alg = DigestAlgorithm.fromName(bank).orElseThrow(() -> new CommandLine.ParameterException(
                spec.commandLine(), "--bank: expected sha1, sha256, sha384 or sha512; got " + bank));
        Registers regs;
        try (EventLogReader r = EventLogReader.open(log.eventLog, log.format(), EventLogLimits.DEFAULT)) {
            regs = log.format() == LogFormat.CCEL ? Replayer.replayRems(r, alg) : Replayer.replayPcrs(r, alg);
        }
        print(regs, log.format(), spec.commandLine().getOut());
        return ReferenceValuesCli.EXIT_OK;
    }

    private void print(Registers regs, LogFormat format, PrintWriter out) throws Exception {
        boolean rems = format == LogFormat.CCEL;
        if (json) {
            ObjectMapper m = new ObjectMapper();
            ObjectNode root = m.createObjectNode();
            root.put("format", format.name().toLowerCase(java.util.Locale.ROOT));
            root.put("bank", regs.algorithm().bankName());
            ObjectNode r = root.putObject(rems ? "rem" : "pcrs");
            for (int i = 0; i < regs.size(); i++) {
                if (rems || regs.extended().contains(i)) {
                    r.put(Integer.toString(i), regs.get(i).hex());
                }
            }
            out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } else {
            out.println(rems ? "rems:" : "pcrs:");
            out.println("  " + regs.algorithm().bankName() + ":");
            for (int i = 0; i < regs.size(); i++) {
                if (rems || regs.extended().contains(i)) {
                    out.printf("    %-3d: 0x%s%n", i, regs.get(i).hex());
                }
            }
        }
        out.flush();
    }
}
