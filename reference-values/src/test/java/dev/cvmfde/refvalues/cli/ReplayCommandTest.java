package dev.cvmfde.refvalues.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventLogLimits;
import dev.cvmfde.refvalues.eventlog.EventLogReader;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.replay.Registers;
import dev.cvmfde.refvalues.replay.Replayer;
import dev.cvmfde.refvalues.testing.Tools;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReplayCommandTest {
    private record Run(int rc, String out, String err) { }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = ReferenceValuesCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void replay_json_printsExtendedPcrs() throws Exception {
        Path log = Tools.vector("eventlog", "event-sd-boot-fedora37.bin");
        Run r = run("replay", "--event-log", log.toString(), "--json");
        assertEquals(0, r.rc(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        Registers regs;
        try (EventLogReader reader = EventLogReader.open(log, LogFormat.TCG2, EventLogLimits.DEFAULT)) {
            regs = Replayer.replayPcrs(reader, DigestAlgorithm.SHA256);
        }
        assertEquals("sha256", json.get("bank").asText());
        assertEquals(regs.extended().size(), json.get("pcrs").size());
        assertEquals(regs.get(4).hex(), json.get("pcrs").get("4").asText());
    }

    @Test
    void replay_ccelJson_printsFourRems(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("ccel.bin");
        Files.write(log, dev.cvmfde.refvalues.testing.Fixtures.withEvent(3,
                dev.cvmfde.refvalues.eventlog.EventType.EV_IPL, 1, 0x0B, 32, 0, 0));
        Run r = run("replay", "--event-log", log.toString(), "--ccel", "--json");
        assertEquals(0, r.rc(), r.err());
        assertEquals(4, new ObjectMapper().readTree(r.out()).get("rem").size());
    }

    @Test
    void replay_malformedLog_exitsOneNamingTheCheck() {
        Run r = run("replay", "--event-log", Tools.vector("eventlog", "specid-vendordata.bin").toString());
        assertEquals(ReferenceValuesCli.EXIT_ERROR, r.rc());
        assertTrue(r.err().contains("BAD_SPEC_ID_EVENT"), r.err());
    }

    @Test
    void replay_missingBank_exitsOne() {
        Run r = run("replay", "--event-log", Tools.vector("eventlog", "event-sd-boot-fedora37.bin").toString(),
                "--bank", "sha1");
        assertEquals(ReferenceValuesCli.EXIT_ERROR, r.rc());
        assertTrue(r.err().contains("UNDECLARED_ALGORITHM"), r.err());
    }

    @Test
    void cli_usageErrors_exitTwoAndHelpListsExitCodes() {
        assertEquals(ReferenceValuesCli.EXIT_USAGE, run("replay").rc());
        assertEquals(ReferenceValuesCli.EXIT_USAGE, run().rc());
        assertEquals(ReferenceValuesCli.EXIT_USAGE, run("replay", "--event-log", "x", "--bank", "md5").rc());
        Run help = run("--help");
        assertEquals(0, help.rc());
        assertTrue(help.out().contains("Exit codes") && help.out().contains("verification refused"), help.out());
    }
}
