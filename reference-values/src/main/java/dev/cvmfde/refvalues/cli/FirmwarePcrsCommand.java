package dev.cvmfde.refvalues.cli;

import dev.cvmfde.protocol.files.AtomicFiles;
import dev.cvmfde.refvalues.eventlog.EventLogLimits;
import dev.cvmfde.refvalues.eventlog.EventLogReader;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.replay.Registers;
import dev.cvmfde.refvalues.replay.Replayer;
import dev.cvmfde.refvalues.uefi.FirmwarePcrs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Records the firmware PCRs of a golden boot's TPM event log as hash.json's "tpm" member. */
@Command(name = "firmware-pcrs", mixinStandardHelpOptions = true,
        description = {"Record the firmware PCRs (default 0,1,2,3,7) of a golden UEFI boot from its TPM event log "
            + "(replayed, sha256 bank) and write them as the \"tpm\" member of hash.json: "
            + "{\"pcr_bank\": \"sha256\", \"firmware_pcrs\": {\"0\": hex, ...}, \"source\": TEXT}.",
            "Boot the image once under the same firmware build, variable store and VM configuration the guests will "
                + "use; the log is /sys/kernel/security/tpm0/binary_bios_measurements in that guest.",
            "Give the file to image-builder encrypt --firmware-pcrs, which puts it into the signed hash.json.",
            "Example: firmware-pcrs --event-log golden.bin --source \"OVMF 2022.11-6+deb12u2, OVMF_VARS_4M.fd\" "
                + "-o firmware-pcrs.json"})
final class FirmwarePcrsCommand implements Callable<Integer> {
    @Option(names = "--event-log", required = true, description = "the golden boot's TPM (TCG2) event log") Path eventLog;
    @Option(names = "--pcrs", split = ",", description = "PCRs to record (default 0,1,2,3,7; those five are required)")
    List<Integer> pcrs = new ArrayList<>(FirmwarePcrs.REQUIRED);
    @Option(names = "--source", required = true, description = "where the values come from (firmware build, vars, date)")
    String source;
    @Option(names = {"-o", "--output"}, required = true, description = "the member as a JSON file (written atomically)")
    Path output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Registers golden;
        try (EventLogReader r = EventLogReader.open(eventLog, LogFormat.TCG2, EventLogLimits.DEFAULT)) {
            golden = Replayer.replayPcrs(r, FirmwarePcrs.BANK);
        }
        FirmwarePcrs fw;
        try {
            fw = FirmwarePcrs.recorded(golden, pcrs, source);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        AtomicFiles.replace(output, fw.toBytes(), false);
        fw.pcrs().forEach((k, v) -> spec.commandLine().getOut().printf("PCR[%d]: %s%n", k, v.hex()));
        spec.commandLine().getOut().flush();
        return ReferenceValuesCli.EXIT_OK;
    }
}
