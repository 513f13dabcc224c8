package dev.cvmfde.refvalues.cli;

import dev.cvmfde.refvalues.eventlog.EventLogException;
import dev.cvmfde.refvalues.hashjson.HashJsonException;
import dev.cvmfde.refvalues.measure.MeasureException;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code reference-values}: measure boot files into hash.json, replay and compare event logs. */
@Command(name = "reference-values", mixinStandardHelpOptions = true, version = "reference-values 0.1.0",
        description = "Reference measurements of a grub boot chain: hash.json, TCG2/CCEL event logs, replay.",
        subcommands = {MeasureCommand.class, ReplayCommand.class, CompareCommand.class, PredictCommand.class,
            PredictUefiCommand.class, FirmwarePcrsCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:error (unreadable or malformed input, I/O failure)", "2:usage error",
            "3:verification refused (compare: a component did not match or is missing)"},
        footer = {"", "Examples:",
            "  reference-values measure --boot-dir /mnt/boot -o hash.json",
            "  reference-values replay --event-log /sys/kernel/security/tpm0/binary_bios_measurements --bank sha256",
            "  reference-values replay --event-log ccel.bin --ccel --json",
            "  reference-values compare --event-log ccel.bin --ccel --hash-json hash.json"})
public final class ReferenceValuesCli implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_ERROR = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_REFUSED = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with the one exception-to-exit-code mapping installed. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new ReferenceValuesCli());
        cl.setExecutionExceptionHandler(ReferenceValuesCli::handle);
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        String what = switch (e) {
            case HashJsonException h -> h.getMessage();
            case EventLogException l -> l.kind() + ": " + l.getMessage();
            case MeasureException m -> m.kind() + ": " + m.getMessage();
            case IOException io -> "I/O error: " + io;
            default -> null;
        };
        if (what == null) {
            err.println("reference-values: internal error: " + e);
            e.printStackTrace(err);
        } else {
            err.println("reference-values: " + what);
        }
        err.flush();
        return EXIT_ERROR;
    }
}
