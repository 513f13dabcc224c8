package dev.cvmfde.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cvmfde.client.verify.CliScenarioFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code attestation-client verify} in-process: exit codes 0/1/2/3, the table and the JSON shape. */
class VerifyCommandTest {
    @TempDir
    Path dir;

    private CliScenarioFiles f;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws Exception {
        f = new CliScenarioFiles(dir);
    }

    private int run(String... args) {
        CommandLine cl = new CommandLine(new AttestationClientCli());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("verify"));
        all.addAll(List.of(args));
        return cl.execute(all.toArray(String[]::new));
    }

    private List<String> full(String... extra) {
        List<String> a = new ArrayList<>(List.of("--token", f.token.toString(), "--trust-anchor", f.anchor.toString(),
                "--expected-challenge", f.challengeHex, "--rim", f.rimHex, "--event-log", f.eventLog.toString(),
                "--baseline", f.hashJson.toString(), "--baseline-signer", f.signerJwk.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    void verify_fullChainSignedBaseline_exit0AndTableOfEveryStage() {
        int code = run(full().toArray(String[]::new));

        assertEquals(0, code, out + "\n" + err);
        String table = out.toString();
        assertTrue(table.startsWith("VERDICT: AFFIRMING"), table);
        for (String stage : List.of("decode", "platform-signature", "realm-signature", "binding", "freshness", "baseline",
                "rim", "event-log", "boot-components", "policy")) {
            assertTrue(table.contains("\n" + stage + " "), stage);
        }
    }

    @Test
    void verify_wrongChallengeJson_exit3AndJsonNamesFreshness() throws Exception {
        List<String> a = full("--json");
        a.set(a.indexOf("--expected-challenge") + 1, "00".repeat(64));

        int code = run(a.toArray(String[]::new));

        assertEquals(3, code, err.toString());
        JsonNode j = new ObjectMapper().readTree(out.toString());
        assertEquals("refused", j.get("verdict").asText());
        assertEquals("freshness", j.get("failedStages").get(0).asText());
        assertEquals(1, j.get("failedStages").size());
        for (JsonNode c : j.get("checks")) {
            for (String field : List.of("stage", "check", "outcome", "expected", "actual", "detail")) {
                assertTrue(c.has(field), field);
            }
        }
    }

    @Test
    void verify_noChallengeGiven_exit3AtFreshness() {
        assertEquals(3, run("--token", f.token.toString(), "--trust-anchor", f.anchor.toString()));
        assertTrue(out.toString().contains("REFUSED at freshness"), out.toString());
    }

    @Test
    void verify_noFreshnessOptOut_exit0WithLoudBanner() {
        List<String> a = without(full(), "--expected-challenge");
        a.add("--no-freshness");

        assertEquals(0, run(a.toArray(String[]::new)), out.toString());
        assertTrue(out.toString().contains("FRESHNESS NOT CHECKED"), out.toString());
        assertTrue(out.toString().contains("SKIPPED (INSECURE: --insecure-no-freshness)"), out.toString());
    }

    /** {@code args} without {@code option} and its value. */
    private static List<String> without(List<String> args, String option) {
        List<String> a = new ArrayList<>(args);
        int i = a.indexOf(option);
        a.remove(i + 1);
        a.remove(i);
        return a;
    }

    @Test
    void verify_unsignedBaseline_exit3AtBaselineUnlessInsecureUnsignedBaseline() {
        List<String> a = without(full(), "--baseline-signer");

        assertEquals(3, run(a.toArray(String[]::new)));
        assertTrue(out.toString().startsWith("VERDICT: REFUSED at baseline"), out.toString());
        assertTrue(out.toString().contains("--insecure-unsigned-baseline"), out.toString());
        out.getBuffer().setLength(0);
        a.add("--insecure-unsigned-baseline");
        assertEquals(0, run(a.toArray(String[]::new)), out.toString());
        assertTrue(out.toString().contains("SKIPPED (INSECURE: --insecure-unsigned-baseline)"), out.toString());
        assertTrue(out.toString().contains("!!! INSECURE (--insecure-unsigned-baseline)"), out.toString());
    }

    @Test
    void verify_noRimNoBaselineNoEventLog_exit3UnlessEachIsNamed() {
        List<String> a = without(without(without(without(full(), "--rim"), "--baseline-signer"), "--baseline"),
                "--event-log");

        assertEquals(3, run(a.toArray(String[]::new)));
        for (String stage : List.of("rim", "baseline", "event-log", "boot-components")) {
            assertTrue(out.toString().startsWith("VERDICT: REFUSED at") && out.toString().lines().findFirst().orElseThrow()
                    .contains(stage), out.toString());
        }
        out.getBuffer().setLength(0);
        a.addAll(List.of("--insecure-no-rim", "--insecure-no-baseline", "--insecure-no-event-log"));
        assertEquals(0, run(a.toArray(String[]::new)), out.toString());
        assertTrue(out.toString().contains("SKIPPED (INSECURE: --insecure-no-rim)"), out.toString());
    }

    @Test
    void verify_insecureOptionBesideWhatItStandsFor_exit2() {
        for (String insecure : List.of("--insecure-no-rim", "--insecure-no-baseline", "--insecure-unsigned-baseline")) {
            assertEquals(2, run(full(insecure).toArray(String[]::new)), insecure);
        }
    }

    @Test
    void verify_bothAnchorsOrNone_exit2() {
        assertEquals(2, run(full("--simulated-anchor", f.anchor.toString()).toArray(String[]::new)));
        assertEquals(2, run(without(full(), "--trust-anchor").toArray(String[]::new)));
    }

    @Test
    void verify_realTokenUnderSimulatedAnchor_exit3AtPolicy() {
        List<String> a = full();
        a.set(a.indexOf("--trust-anchor"), "--simulated-anchor");

        assertEquals(3, run(a.toArray(String[]::new)));
        assertTrue(out.toString().startsWith("VERDICT: REFUSED at policy"), out.toString());
    }

    @Test
    void verify_baselineSignatureFromOtherFile_exit3AtBaseline() throws Exception {
        Path other = Files.writeString(dir.resolve("other.jws"), Files.readString(dir.resolve("hash.json.jws"))
                .replaceFirst("\\.\\.(.)", "..A$1"));
        List<String> a = full("--baseline-signature", other.toString(), "--json");

        assertEquals(3, run(a.toArray(String[]::new)), err.toString());
        assertTrue(out.toString().contains("\"baseline\""), out.toString());
    }

    @Test
    void verify_missingTokenFile_exit1() {
        assertEquals(1, run("--token", dir.resolve("absent.cbor").toString(), "--trust-anchor", f.anchor.toString(),
                "--no-freshness"));
        assertTrue(err.toString().contains("no such file"), err.toString());
    }

    @Test
    void verify_trustAnchorNotAKey_exit1() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.pem"), "not a key");

        assertEquals(1, run("--token", f.token.toString(), "--trust-anchor", bad.toString(), "--no-freshness"));
        assertTrue(err.toString().contains("trust anchor"), err.toString());
    }

    @Test
    void verify_missingRequiredOption_exit2() {
        assertEquals(2, run("--token", f.token.toString()));
    }

    @Test
    void verify_challengeNotHex_exit2() {
        assertEquals(2, run("--token", f.token.toString(), "--trust-anchor", f.anchor.toString(),
                "--expected-challenge", "zz"));
    }

    @Test
    void verify_challengeWrongLength_exit2() {
        assertEquals(2, run("--token", f.token.toString(), "--trust-anchor", f.anchor.toString(),
                "--expected-challenge", "00".repeat(32)));
    }

    @Test
    void verify_baselineWithoutEventLog_exit2() {
        assertEquals(2, run("--token", f.token.toString(), "--trust-anchor", f.anchor.toString(), "--no-freshness",
                "--baseline", f.hashJson.toString()));
    }

    @Test
    void verify_challengeAndNoFreshness_exit2() {
        assertEquals(2, run("--token", f.token.toString(), "--trust-anchor", f.anchor.toString(), "--no-freshness",
                "--expected-challenge", f.challengeHex));
    }

    @Test
    void verify_help_exit0ListsExitCodesAndExamples() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("Exit codes"), out.toString());
        assertTrue(out.toString().contains("Examples"), out.toString());
    }
}
