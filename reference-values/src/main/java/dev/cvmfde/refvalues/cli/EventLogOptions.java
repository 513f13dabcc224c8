package dev.cvmfde.refvalues.cli;

import dev.cvmfde.refvalues.eventlog.LogFormat;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by the commands that read an event log. */
final class EventLogOptions {
    @Option(names = "--event-log", required = true, description = "TCG2 crypto-agile event log (or CCEL data)")
    Path eventLog;

    @Option(names = "--ccel", description = "the log is a CCEL log (CCA/virtCCA/TDX): indices are MR indices, "
            + "MR k extends REM[k-1]")
    boolean ccel;

    LogFormat format() {
        return ccel ? LogFormat.CCEL : LogFormat.TCG2;
    }
}
