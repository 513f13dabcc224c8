package dev.cvmfde.client.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.server.RunningServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code release} fails closed against the real server (simulated provider): without a baseline,
 * with an unsigned or edited one, the guest gets no key (exit 3); each --insecure-… option that
 * names the missing check releases, and the table says so in capitals.
 */
class ReleaseFailClosedTest {
    @TempDir
    Path dir;

    private GuestFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new GuestFixture(dir);
    }

    /** {@code args} without {@code option} and its value. */
    private static List<String> without(List<String> args, String option) {
        int i = args.indexOf(option);
        args.remove(i + 1);
        args.remove(i);
        return args;
    }

    @Test
    void release_noBaseline_exit3NoKeyUnlessInsecureNoBaselineAndNoRim() throws Exception {
        try (RunningServer server = f.startServer()) {
            List<String> args = without(without(f.releaseArgs(server.localAddress(), f.hashJson, f.rawKey),
                    "--baseline"), "--baseline-signer");

            CliRun refused = CliRun.of(args);

            assertEquals(3, refused.exit(), refused.toString());
            assertTrue(refused.out().startsWith("VERDICT: REFUSED at baseline, rim, boot-components"), refused.out());
            assertTrue(f.received.isEmpty(), "no key was sent");

            args.addAll(List.of("--insecure-no-baseline", "--insecure-no-rim"));
            CliRun released = CliRun.of(args);

            assertEquals(0, released.exit(), released.toString());
            assertTrue(released.out().contains("SKIPPED (INSECURE: --insecure-no-baseline)"), released.out());
            assertTrue(released.out().contains("SKIPPED (INSECURE: --insecure-no-rim)"), released.out());
            assertTrue(released.out().contains("!!! INSECURE (--insecure-no-baseline)"), released.out());
            assertEquals(1, f.received.size());
        }
    }

    @Test
    void release_unsignedBaseline_exit3UnlessInsecureUnsignedBaseline() throws Exception {
        try (RunningServer server = f.startServer()) {
            List<String> args = without(f.releaseArgs(server.localAddress(), f.hashJson, f.rawKey), "--baseline-signer");

            CliRun refused = CliRun.of(args);

            assertEquals(3, refused.exit(), refused.toString());
            assertTrue(refused.out().startsWith("VERDICT: REFUSED at baseline"), refused.out());
            assertTrue(f.received.isEmpty());

            args.add("--insecure-unsigned-baseline");
            CliRun released = CliRun.of(args);

            assertEquals(0, released.exit(), released.toString());
            assertTrue(released.out().contains("SKIPPED (INSECURE: --insecure-unsigned-baseline)"), released.out());
        }
    }

    @Test
    void release_editedSignedBaseline_exit3AtBaselineNoKey() throws Exception {
        // the host relaxes the pinned command line in hash.json beside the image and keeps the builder's .jws
        Path edited = Files.createDirectories(dir.resolve("edited")).resolve("hash.json");
        Files.writeString(edited, Files.readString(f.hashJson, StandardCharsets.UTF_8)
                .replace(GuestFixture.CMDLINE, GuestFixture.CMDLINE + " rd.shell"), StandardCharsets.UTF_8);
        Files.copy(dir.resolve("hash.json.jws"), dir.resolve("edited/hash.json.jws"));
        try (RunningServer server = f.startServer()) {
            CliRun run = CliRun.of(f.releaseArgs(server.localAddress(), edited, f.rawKey));

            assertEquals(3, run.exit(), run.toString());
            assertTrue(run.out().startsWith("VERDICT: REFUSED at baseline"), run.out());
            assertTrue(f.received.isEmpty());
        }
    }

    @Test
    void release_simulatedBaselineAgainstRealAnchorOption_exit3AtPolicy() throws Exception {
        try (RunningServer server = f.startServer()) {
            List<String> args = f.releaseArgs(server.localAddress(), f.hashJson, f.rawKey);
            args.set(args.indexOf("--simulated-anchor"), "--trust-anchor");

            CliRun run = CliRun.of(args);

            assertEquals(3, run.exit(), run.toString());
            assertTrue(run.out().contains("baseline-simulated"), run.out());
            assertTrue(f.received.isEmpty());
        }
    }

    @Test
    void release_insecureNoFreshnessIsVerifyOnly_exit2() {
        List<String> args = f.releaseArgs(new java.net.InetSocketAddress("127.0.0.1", 7220), f.hashJson, f.rawKey,
                "--insecure-no-freshness");

        assertEquals(2, CliRun.of(args).exit());
    }
}
