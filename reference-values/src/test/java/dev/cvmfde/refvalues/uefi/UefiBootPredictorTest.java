package dev.cvmfde.refvalues.uefi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventLogLimits;
import dev.cvmfde.refvalues.eventlog.EventLogReader;
import dev.cvmfde.refvalues.eventlog.EventLogWriter;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.predict.MeasuredFile;
import dev.cvmfde.refvalues.replay.Registers;
import dev.cvmfde.refvalues.replay.Replayer;
import dev.cvmfde.refvalues.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prediction against a real OVMF + shim + grub boot's TPM log: PCRs 4 and 9 come out exactly as
 * the firmware, shim and grub extended them (and as tpm2_eventlog replays both logs); one changed
 * file changes the predicted PCR, so the comparison can fail.
 */
class UefiBootPredictorTest {
    @Test
    void predictPcrs_realBootsFiles_equalTheRealLogsPcr4And9() throws Exception {
        Registers real = realPcrs();
        Registers predicted = UefiBootPredictor.predictPcrs(UefiVectors.boot(UefiVectors.baseline()));
        for (int pcr : UefiBootPredictor.PREDICTED_PCRS) {
            assertEquals(real.get(pcr), predicted.get(pcr), "PCR " + pcr);
        }
    }

    @Test
    void predictPcrs_grubCfgEdited_pcr9DiffersFromTheRealLog() throws Exception {
        Baseline b = UefiVectors.baseline();
        UefiBoot genuine = UefiVectors.boot(b);
        UefiBoot edited = new UefiBoot(genuine.shim(), genuine.grub(), new MeasuredFile(genuine.grubCfg().path(),
                Digest.of(DigestAlgorithm.SHA256, "set timeout=0\n".getBytes(StandardCharsets.UTF_8))),
                genuine.linuxCommand(), genuine.kernel(), genuine.kernelArguments(), genuine.initrdCommand(),
                genuine.initramfs());
        assertNotEquals(realPcrs().get(9), UefiBootPredictor.predictPcrs(edited).get(9));
        assertEquals(realPcrs().get(4), UefiBootPredictor.predictPcrs(edited).get(4));
    }

    @Test
    void predictPcrs_withoutShim_pcr4DiffersFromTheShimBoot() throws Exception {
        UefiBoot genuine = UefiVectors.boot(UefiVectors.baseline());
        UefiBoot noShim = new UefiBoot(Optional.empty(), genuine.grub(), genuine.grubCfg(), genuine.linuxCommand(),
                genuine.kernel(), genuine.kernelArguments(), genuine.initrdCommand(), genuine.initramfs());
        assertNotEquals(realPcrs().get(4), UefiBootPredictor.predictPcrs(noShim).get(4));
    }

    @Test
    void exactLog_replayedByTpm2Eventlog_givesThePredictedPcrs(@TempDir Path dir) throws Exception {
        UefiBoot boot = UefiVectors.boot(UefiVectors.baseline());
        Path log = dir.resolve("predicted.log");
        EventLogWriter.write(UefiBootPredictor.exactLog(boot), log);
        String yaml = Tools.run(List.of("tpm2_eventlog", log.toString()));
        Registers predicted = UefiBootPredictor.predictPcrs(boot);
        for (int pcr : UefiBootPredictor.PREDICTED_PCRS) {
            assertTrue(yaml.contains("0x" + predicted.get(pcr).hex()), "tpm2_eventlog's PCR " + pcr + ":\n" + yaml);
        }
    }

    @Test
    void toJson_realBoot_listsPcrValuesAndThePinnedStrings() throws Exception {
        UefiBoot boot = UefiVectors.boot(UefiVectors.baseline());
        JsonNode j = new ObjectMapper().readTree(UefiBootPredictor.toJson(boot));
        assertEquals(realPcrs().get(4).hex(), j.get("pcrs").get("4").asText());
        assertEquals(realPcrs().get(9).hex(), j.get("pcrs").get("9").asText());
        String all = j.get("events").toString();
        assertTrue(all.contains("kernel_cmdline: /vmlinuz-6.1.0-57-amd64 " + UefiVectors.KERNEL_ARGS), all);
        assertTrue(all.contains("grub_cmd: initrdefi /initrd.img-6.1.0-57-amd64"), all);
    }

    private static Registers realPcrs() throws Exception {
        try (EventLogReader r = EventLogReader.open(UefiVectors.log(), LogFormat.TCG2, EventLogLimits.DEFAULT)) {
            return Replayer.replayPcrs(r, DigestAlgorithm.SHA256);
        }
    }
}
