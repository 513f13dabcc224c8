package dev.cvmfde.client.release;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cvmfde.client.cli.ExitCodes;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.server.RunningServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code attestation-client release} in-process against the real server (simulated provider) on 127.0.0.1. */
class ReleaseCommandTest {
    @TempDir
    Path dir;
    GuestFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new GuestFixture(dir);
    }

    @Test
    void release_rightBaselineRawKey_exit0AndGuestGetsExactKeyBytes() throws Exception {
        try (RunningServer server = f.startServer()) {
            CliRun run = CliRun.of(f.releaseArgs(server.localAddress(), f.hashJson, f.rawKey));

            assertEquals(0, run.exit(), run.toString());
            assertTrue(run.out().startsWith("VERDICT: AFFIRMING"), run.out());
            assertTrue(run.out().contains("SIMULATED TEE"), "simulated evidence is flagged");
            assertTrue(run.out().contains("RELEASED: every check passed")
                    && run.out().contains("the guest reports (unauthenticated): unlocked"), run.out());
            assertEquals(1, f.received.size());
            assertArrayEquals(Files.readAllBytes(f.rawKey), f.received.get(0));
            assertTrue(server.awaitUnlocked(Duration.ofSeconds(10)).isPresent());
        }
    }

    @Test
    void release_ibmBase64KeyFile_guestGetsTheExactTextBytes() throws Exception {
        try (RunningServer server = f.startServer()) {
            CliRun run = CliRun.of(f.releaseArgs(server.localAddress(), f.hashJson, f.base64Key));

            assertEquals(0, run.exit(), run.toString());
            assertArrayEquals(Files.readAllBytes(f.base64Key), f.received.get(0));
        }
    }

    @Test
    void release_wrongBaseline_exit3GuestGetsNothingAndServesNextClient() throws Exception {
        try (RunningServer server = f.startServer()) {
            CliRun refused = CliRun.of(f.releaseArgs(server.localAddress(), f.wrongHashJson, f.rawKey));

            assertEquals(3, refused.exit(), refused.toString());
            assertTrue(refused.out().startsWith("VERDICT: REFUSED at boot-components"), refused.out());
            assertTrue(refused.out().contains("REFUSED: no key was sent; the guest was told only the failed stage: boot-components"),
                    refused.out());
            assertTrue(f.received.isEmpty());
            assertTrue(server.isServing(), "the guest keeps waiting");

            CliRun next = CliRun.of(f.releaseArgs(server.localAddress(), f.hashJson, f.rawKey));
            assertEquals(0, next.exit(), next.toString());
            assertArrayEquals(Files.readAllBytes(f.rawKey), f.received.get(0));
        }
    }

    @Test
    void release_unpinnedSigningKey_exit4WithGuestDetailAndServesNextClient() throws Exception {
        Path other = dir.resolve("other");
        assertEquals(0, CliRun.of("keygen", "--out", other.toString()).exit());
        try (RunningServer server = f.startServer()) {
            List<String> args = f.releaseArgs(server.localAddress(), f.hashJson, f.rawKey);
            args.set(args.indexOf("--signing-key") + 1, other.resolve("verifier.jwk").toString());

            CliRun unpinned = CliRun.of(args);

            assertEquals(4, unpinned.exit(), unpinned.toString());
            assertTrue(unpinned.err().contains("the guest reports the unlock failed"), unpinned.err());
            assertTrue(unpinned.err().contains("signature"), "the guest names the failed check: " + unpinned.err());
            assertTrue(f.received.isEmpty());
            assertEquals(0, CliRun.of(f.releaseArgs(server.localAddress(), f.hashJson, f.rawKey)).exit());
        }
    }

    @Test
    void release_guestAcksNotUnlocked_exit4ReportedAsTheGuestsClaim() throws Exception {
        try (RunningServer server = f.startServer(dev.cvmfde.server.UnlockOutcome.failed("cryptsetup: No key available"))) {
            CliRun run = CliRun.of(f.releaseArgs(server.localAddress(), f.hashJson, f.rawKey));

            assertEquals(ExitCodes.RELEASED_UNCONFIRMED, run.exit(), run.toString());
            assertTrue(run.out().contains("the guest reports (unauthenticated): unlock failed"), run.out());
            assertTrue(run.err().contains("cryptsetup: No key available"), run.err());
        }
    }

    @Test
    void release_guestClosesWithoutAck_exit4NoReport() throws Exception {
        try (RunningServer server = f.startServer();
             PeerFakes.Listener dropsAck = PeerFakes.droppingAck(server.localAddress())) {
            CliRun run = CliRun.of(f.releaseArgs(dropsAck.address(), f.hashJson, f.rawKey, "--json"));

            assertEquals(ExitCodes.RELEASED_UNCONFIRMED, run.exit(), run.toString());
            JsonNode report = new ObjectMapper().readTree(run.out()).get("release").get("guestReport");
            assertEquals("none", report.get("claim").asText());
            assertFalse(report.get("authenticated").asBoolean());
            assertEquals(1, f.received.size(), "the key did reach the guest");
        }
    }

    @Test
    void release_forgedAckOnThePath_reportedAsAClaimNotAFact() throws Exception {
        try (RunningServer server = f.startServer(dev.cvmfde.server.UnlockOutcome.failed("cryptsetup: No key available"));
             PeerFakes.Listener forger = PeerFakes.forgingAck(server.localAddress(), "encroot opened")) {
            CliRun run = CliRun.of(f.releaseArgs(forger.address(), f.hashJson, f.rawKey));

            assertEquals(0, run.exit(), run.toString());
            assertTrue(run.out().contains("the guest reports (unauthenticated): unlocked: encroot opened"), run.out());
            assertFalse(run.out().contains("the guest unlocked"), run.out());
        }
    }

    @Test
    void release_json_verdictAndReleaseOutcome() throws Exception {
        try (RunningServer server = f.startServer()) {
            CliRun run = CliRun.of(f.releaseArgs(server.localAddress(), f.wrongHashJson, f.rawKey, "--json"));

            assertEquals(3, run.exit(), run.toString());
            JsonNode j = new ObjectMapper().readTree(run.out());
            assertEquals("refused", j.get("verdict").asText());
            assertEquals("refused", j.get("release").get("outcome").asText());
            assertEquals("boot-components", j.get("release").get("reasons").get(0).get("stage").asText());
            assertEquals("boot-components", j.get("release").get("stagesSentToGuest").get(0).asText());
            assertEquals(1, j.get("release").get("stagesSentToGuest").size());
        }
    }

    @Test
    void release_simulatedEvidenceAgainstRealAnchorOption_exit3AtPolicy() throws Exception {
        try (RunningServer server = f.startServer()) {
            List<String> args = f.releaseArgs(server.localAddress(), f.hashJson, f.rawKey);
            args.set(args.indexOf("--simulated-anchor"), "--trust-anchor");

            CliRun run = CliRun.of(args);

            assertEquals(3, run.exit(), run.toString());
            assertTrue(run.out().startsWith("VERDICT: REFUSED at policy"), run.out());
            assertTrue(run.out().contains("against a real trust anchor"), run.out());
            assertTrue(f.received.isEmpty());
        }
    }

    @Test
    void release_badKeyFiles_exit1WithKeyFileErrorBeforeConnecting() throws Exception {
        Path newline = Files.writeString(dir.resolve("nl.b64"), Files.readString(f.base64Key) + "\n");
        Path tooShort = Files.writeString(dir.resolve("short.b64"), "QUJD");
        for (Path p : List.of(newline, tooShort)) { // owner-only, so the content is what gets refused
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        try (ServerSocket nobody = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", nobody.getLocalPort());
            for (Path bad : List.of(newline, tooShort, dir.resolve("missing.key"))) {
                CliRun run = CliRun.of(f.releaseArgs(address, f.hashJson, bad));
                assertEquals(1, run.exit(), run.toString());
                assertTrue(run.err().contains("key file"), run.err());
            }
            assertTrue(CliRun.of(f.releaseArgs(address, f.hashJson, newline)).err().contains("newline"));
            assertTrue(CliRun.of(f.releaseArgs(address, f.hashJson, tooShort)).err().contains("32 to 512"));
        }
    }

    @Test
    void release_groupOrWorldReadableKeyFiles_exit1NamingModeBeforeConnecting() throws Exception {
        try (ServerSocket nobody = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", nobody.getLocalPort());
            for (String mode : List.of("rw-r--r--", "rw-r-----")) {
                Files.setPosixFilePermissions(f.rawKey, java.nio.file.attribute.PosixFilePermissions.fromString(mode));
                CliRun run = CliRun.of(f.releaseArgs(address, f.hashJson, f.rawKey));
                assertEquals(1, run.exit(), run.toString());
                assertTrue(run.err().contains(f.rawKey + " has mode 0") && run.err().contains("(" + mode + ")")
                        && run.err().contains("chmod 600"), run.err());
            }
            Files.setPosixFilePermissions(f.rawKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Files.setPosixFilePermissions(f.signingKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            CliRun run = CliRun.of(f.releaseArgs(address, f.hashJson, f.rawKey));
            assertEquals(1, run.exit(), run.toString());
            assertTrue(run.err().contains("signing key " + f.signingKey + " has mode 0644"), run.err());
        }
        assertTrue(f.received.isEmpty());
    }

    @Test
    void release_guestNotListeningYet_retriesUntilItIs() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        InetSocketAddress later = new InetSocketAddress("127.0.0.1", port);
        CompletableFuture<CliRun> client = CompletableFuture.supplyAsync(
                () -> CliRun.of(f.releaseArgs(later, f.hashJson, f.rawKey, "--retries", "8")));
        Thread.sleep(1200);
        try (RunningServer server = f.startServerAt(later)) {
            CliRun run = client.get();
            assertEquals(0, run.exit(), run.toString());
            assertTrue(run.err().contains("retrying"), run.err());
        }
    }

    @Test
    void release_nobodyListeningNoRetries_exit1NamingConnect() {
        CliRun run;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = probe.getLocalPort();
            probe.close();
            run = CliRun.of(f.releaseArgs(new InetSocketAddress("127.0.0.1", port), f.hashJson, f.rawKey));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.err().contains("connect:"), run.err());
    }

    @Test
    void release_usageErrors_exit2() {
        InetSocketAddress a = new InetSocketAddress("127.0.0.1", 7220);
        assertEquals(2, CliRun.of("release", "--server", "127.0.0.1:1").exit(), "missing required options");
        assertEquals(2, CliRun.of(f.releaseArgs(a, f.hashJson, f.rawKey, "--retries", "-1")).exit());
        assertEquals(2, CliRun.of(f.releaseArgs(a, f.hashJson, f.rawKey, "--timeout", "0")).exit());
        assertEquals(2, CliRun.of(f.releaseArgs(a, f.hashJson, f.rawKey, "--rim", "xyz")).exit());
        List<String> badServer = f.releaseArgs(a, f.hashJson, f.rawKey);
        badServer.set(badServer.indexOf("--server") + 1, "host:99999");
        assertEquals(2, CliRun.of(badServer).exit());
    }

    @Test
    void help_releaseListsExitCodesExamplesAndAckRule() {
        CliRun run = CliRun.of("release", "--help");
        assertEquals(0, run.exit());
        for (String s : List.of("Exit codes", "0  released", "1  error", "2  usage", "3  refused",
                "4  released, unconfirmed", "unauthenticated", "--retries", "--timeout", "--baseline-signer",
                "--simulated-anchor", "--insecure-no-rim", "--insecure-no-baseline", "--insecure-unsigned-baseline",
                "--insecure-no-cmdline", "--insecure-no-event-log", "Examples")) {
            assertTrue(run.out().contains(s), "help lacks " + s + ":\n" + run.out());
        }
    }

    @Test
    void keygen_writesPrivate0600AndPublicFiles_neverOverwrites() throws Exception {
        Path out = dir.resolve("keys");
        CliRun run = CliRun.of("keygen", "--out", out.toString());
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().contains("verifier.jwk") && run.out().contains("PRIVATE")
                && run.out().contains("verifier.pub.jwk") && run.out().contains("image builder"), run.out());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(out.resolve("verifier.jwk"))));
        var signing = VerifierKeys.readSigningKey(out.resolve("verifier.jwk"));
        for (String pub : List.of("verifier.pub.pem", "verifier.pub.jwk")) {
            assertEquals(signing.computeThumbprint(), dev.cvmfde.protocol.release.PinnedVerifierKey.read(
                    out.resolve(pub)).publicKey().computeThumbprint(), pub);
        }
        assertFalse(Files.readString(out.resolve("verifier.pub.jwk")).contains("\"d\""));
        byte[] before = Files.readAllBytes(out.resolve("verifier.jwk"));

        CliRun again = CliRun.of("keygen", "--out", out.toString());
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("already exists"), again.err());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("verifier.jwk")));
    }
}
