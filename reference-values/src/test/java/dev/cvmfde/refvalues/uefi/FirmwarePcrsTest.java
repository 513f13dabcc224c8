package dev.cvmfde.refvalues.uefi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventLogLimits;
import dev.cvmfde.refvalues.eventlog.EventLogReader;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.replay.Registers;
import dev.cvmfde.refvalues.replay.Replayer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The golden boot's firmware PCRs as hash.json's "tpm" member: recorded, written, read back; bad members named. */
class FirmwarePcrsTest {
    @Test
    void recorded_realGoldenLog_holdsItsReplayedPcrs0to3And7() throws Exception {
        Registers golden = golden();
        FirmwarePcrs fw = FirmwarePcrs.recorded(golden, FirmwarePcrs.REQUIRED, "OVMF 2022.11-6+deb12u2");
        assertEquals(List.of(0, 1, 2, 3, 7), List.copyOf(fw.pcrs().keySet()));
        assertEquals(golden.get(7), fw.pcrs().get(7));
        assertEquals(fw, FirmwarePcrs.parse(fw.toBytes()));
    }

    @Test
    void recorded_pcrTheLogNeverExtended_isRefused() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FirmwarePcrs.recorded(golden(), List.of(0, 1, 2, 3, 7, 16), "x"));
        assertTrue(e.getMessage().contains("PCR 16"), e.getMessage());
    }

    @Test
    void fromJson_pcr7Missing_isRefusedNamingIt() throws Exception {
        ObjectNode j = FirmwarePcrs.recorded(golden(), FirmwarePcrs.REQUIRED, "x").toJson();
        ((ObjectNode) j.get("firmware_pcrs")).remove("7");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FirmwarePcrs.fromJson(j));
        assertTrue(e.getMessage().contains("PCR 7"), e.getMessage());
    }

    @Test
    void fromJson_shortHexOrOtherBank_isRefusedNamingTheField() throws Exception {
        ObjectNode j = FirmwarePcrs.recorded(golden(), FirmwarePcrs.REQUIRED, "x").toJson();
        ((ObjectNode) j.get("firmware_pcrs")).put("0", "abcd");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FirmwarePcrs.fromJson(j));
        assertTrue(e.getMessage().contains("tpm.firmware_pcrs.0"), e.getMessage());
        ObjectNode k = FirmwarePcrs.recorded(golden(), FirmwarePcrs.REQUIRED, "x").toJson();
        k.put("pcr_bank", "sha1");
        e = assertThrows(IllegalArgumentException.class, () -> FirmwarePcrs.fromJson(k));
        assertTrue(e.getMessage().contains("tpm.pcr_bank"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FirmwarePcrs.fromJson(new ObjectMapper().createArrayNode()));
    }

    private static Registers golden() throws Exception {
        try (EventLogReader r = EventLogReader.open(UefiVectors.log(), LogFormat.TCG2, EventLogLimits.DEFAULT)) {
            return Replayer.replayPcrs(r, DigestAlgorithm.SHA256);
        }
    }
}
