package dev.cvmfde.imagebuilder.cli;

import java.io.PrintWriter;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --quiet} and {@code --json}, shared by the commands that write images, with what they
 * decide: the progress bar, and whether the summary is JSON on stdout or one line on stderr.
 */
final class OutputOptions {
    @Option(names = "--quiet", description = "no progress bar (it is also off when stderr is not a terminal)")
    boolean quiet;

    @Option(names = "--json", description = "print a JSON summary (paths, sizes, LUKS UUID, digests) on stdout")
    boolean json;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** The progress bar on stderr; silent with {@code --quiet}. */
    ConsoleProgress progress() {
        return new ConsoleProgress(command.commandLine().getErr(), quiet);
    }

    /** With {@code --json} the JSON on stdout; else, unless {@code --quiet}, the line on stderr. */
    void summary(Supplier<String> jsonSummary, Supplier<String> line) {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        if (json) {
            out.println(jsonSummary.get());
        } else if (!quiet) {
            err.println(line.get());
        }
        out.flush();
        err.flush();
    }
}
