package dev.cvmfde.client.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.protocol.tpm.PcrSelection;
import dev.cvmfde.protocol.tpm.Swtpm;
import dev.cvmfde.protocol.tpm.TpmEvidenceBlob;
import dev.cvmfde.protocol.tpm.TpmPublic;
import dev.cvmfde.protocol.tpm.TpmQuote;
import dev.cvmfde.server.provider.RawEvidence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TPM evidence checked by tools nobody here wrote (tpm2-tools): the guest's event log replays, per
 * {@code tpm2_eventlog}, to the PCR values the quote covers; the quote verifies with
 * {@code tpm2_checkquote} (AK public exported as PEM) and is refused by it for another nonce.
 */
class TpmCrossCheckTest {
    private static final Pattern PCR_LINE = Pattern.compile("^\\s+(\\d+)\\s*:\\s*0x([0-9A-Fa-f]+)\\s*$");
    @TempDir
    static Path dir;
    static TpmGuest guest;
    static byte[] challenge = new byte[64];
    static RawEvidence evidence;
    static TpmEvidenceBlob blob;

    @BeforeAll
    static void start() throws Exception {
        Swtpm.require("tpm2_checkquote", "tpm2-tools");
        guest = new TpmGuest(dir.resolve("guest"), "kernel 6.6.0");
        GuestFixture.RANDOM.nextBytes(challenge);
        evidence = guest.provider().collect(challenge);
        blob = TpmEvidenceBlob.decode(evidence.token());
    }

    @AfterAll
    static void stop() throws Exception {
        guest.close();
    }

    @Test
    void tpm2Eventlog_guestLog_replaysToQuotedPcrs() throws Exception {
        Path log = Files.write(dir.resolve("log.bin"), evidence.eventLog().orElseThrow());
        String out = Swtpm.runTool(List.of("tpm2_eventlog", log.toString()), dir);
        Map<Integer, String> replayed = sha256Pcrs(out);
        PcrSelection sel = TpmQuote.parse(blob.quote()).selection().getFirst();
        List<Integer> pcrs = new ArrayList<>(sel.pcrs());
        int compared = 0;
        for (int i = 0; i < pcrs.size(); i++) {
            String quoted = HexFormat.of().formatHex(blob.pcrValues().get(i));
            if (replayed.containsKey(pcrs.get(i))) {
                assertEquals(quoted, replayed.get(pcrs.get(i)), "PCR " + pcrs.get(i));
                compared++;
            } else {
                assertEquals("00".repeat(32), quoted, "PCR " + pcrs.get(i) + " has no events but is not zero");
            }
        }
        assertEquals(10, compared, "PCRs 0-9 replayed by tpm2_eventlog: " + replayed.keySet());
    }

    private static Map<Integer, String> sha256Pcrs(String out) {
        Map<Integer, String> pcrs = new TreeMap<>();
        boolean inPcrs = false;
        boolean inSha256 = false;
        for (String line : out.split("\n")) {
            if (line.startsWith("pcrs:")) {
                inPcrs = true;
            } else if (inPcrs && line.matches("^\\s+\\w+:\\s*$")) {
                inSha256 = line.trim().equals("sha256:");
            } else if (inPcrs && inSha256) {
                Matcher m = PCR_LINE.matcher(line);
                if (m.matches()) {
                    pcrs.put(Integer.parseInt(m.group(1)), m.group(2).toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
        return pcrs;
    }

    private List<String> checkquote(byte[] qualification) throws Exception {
        TpmPublic ak = TpmPublic.parse(blob.akPublic());
        Path pem = Files.writeString(dir.resolve("ak.pem"), "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(ak.publicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        Path msg = Files.write(dir.resolve("quote.msg"), blob.quote());
        Path sig = Files.write(dir.resolve("quote.sig"), blob.signature());
        return List.of("tpm2_checkquote", "-u", pem.toString(), "-m", msg.toString(), "-s", sig.toString(),
                "-g", "sha256", "-q", HexFormat.of().formatHex(qualification));
    }

    @Test
    void tpm2Checkquote_guestQuote_verifies() throws Exception {
        String out = Swtpm.runTool(checkquote(challenge), dir);
        assertTrue(out.isEmpty() || !out.contains("ERROR"), out);
    }

    @Test
    void tpm2Checkquote_otherQualification_refuses() throws Exception {
        byte[] other = challenge.clone();
        other[0] ^= 1;
        List<String> command = checkquote(other);
        assertThrows(IOException.class, () -> Swtpm.runTool(command, dir));
    }
}
