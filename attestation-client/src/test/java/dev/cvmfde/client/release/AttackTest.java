package dev.cvmfde.client.release;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.EvidenceRequest;
import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.protocol.wire.FrameReader;
import dev.cvmfde.protocol.wire.FrameWriter;
import dev.cvmfde.protocol.wire.Refusal;
import dev.cvmfde.server.RunningServer;
import dev.cvmfde.server.provider.MeasurementEvent;
import dev.cvmfde.server.provider.MeasurementExtension;
import dev.cvmfde.server.provider.simulated.SimulatedProvider;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the release, one per test, with the real server (simulated provider) and the real
 * client; after each, the guest still serves the next, honest client. Hostile clients against
 * the server (garbage, huge length, silence) are covered in attestation-server's HostilePeerTest;
 * {@link #server_hostileClientsFirst_honestReleaseStillUnlocks} shows the same with this client.
 */
class AttackTest {
    @TempDir
    Path dir;
    GuestFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new GuestFixture(dir);
    }

    private void assertHonestClientUnlocks(RunningServer server) throws Exception {
        CliRun honest = CliRun.of(f.releaseArgs(server.localAddress(), f.hashJson, f.rawKey));
        assertEquals(0, honest.exit(), honest.toString());
        assertArrayEquals(Files.readAllBytes(f.rawKey), f.received.get(f.received.size() - 1));
    }

    @Test
    void replay_evidenceFromAnEarlierSession_refusedAtFreshnessNoKeySent() throws Exception {
        try (RunningServer server = f.startServer()) {
            Evidence recorded;
            try (Socket s = new Socket(server.localAddress().getAddress(), server.localAddress().getPort())) {
                new FrameWriter(s.getOutputStream()).write(EvidenceRequest.fresh(GuestFixture.RANDOM));
                recorded = (Evidence) new FrameReader(s.getInputStream()).read(Expect.HOST_AWAITING_EVIDENCE);
            }
            try (PeerFakes.Listener replayer = PeerFakes.replaying(recorded)) {
                CliRun run = CliRun.of(f.releaseArgs(replayer.address(), f.hashJson, f.rawKey));

                assertEquals(3, run.exit(), run.toString());
                assertTrue(run.out().startsWith("VERDICT: REFUSED at freshness"), run.out());
                awaitVerdicts(replayer, 1);
                assertInstanceOf(Refusal.class, replayer.verdicts.get(0));
            }
            assertHonestClientUnlocks(server);
        }
    }

    @Test
    void relay_swapsEphemeralKey_refusedAtFreshnessNoReleaseToTheRelay() throws Exception {
        try (RunningServer server = f.startServer();
             PeerFakes.Listener relay = PeerFakes.swappingEphemeralKey(server.localAddress())) {
            CliRun run = CliRun.of(f.releaseArgs(relay.address(), f.hashJson, f.rawKey));

            assertEquals(3, run.exit(), run.toString());
            assertTrue(run.out().startsWith("VERDICT: REFUSED at freshness"), run.out());
            awaitVerdicts(relay, 1);
            assertInstanceOf(Refusal.class, relay.verdicts.get(0), "the relay never gets a release");
            assertTrue(f.received.isEmpty());
            assertHonestClientUnlocks(server);
        }
    }

    @Test
    void recordingMitm_keyNeverInTheBytesInAnyEncoding() throws Exception {
        for (Path keyFile : List.of(f.rawKey, f.base64Key)) {
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            try (RunningServer server = f.startServer();
                 PeerFakes.Listener mitm = PeerFakes.recording(server.localAddress(), seen)) {
                CliRun run = CliRun.of(f.releaseArgs(mitm.address(), f.hashJson, keyFile));
                assertEquals(0, run.exit(), run.toString());
            }
            byte[] key = Files.readAllBytes(keyFile);
            assertArrayEquals(key, f.received.get(f.received.size() - 1), "the guest got the key through the relay");
            byte[] recorded;
            synchronized (seen) {
                recorded = seen.toByteArray();
            }
            assertTrue(recorded.length > 1000, "the relay saw the exchange");
            String text = new String(recorded, StandardCharsets.ISO_8859_1);
            List<String> forms = List.of(new String(key, StandardCharsets.ISO_8859_1), HexFormat.of().formatHex(key),
                    HexFormat.of().withUpperCase().formatHex(key), Base64.getEncoder().encodeToString(key),
                    Base64.getUrlEncoder().withoutPadding().encodeToString(key),
                    Base64.getEncoder().withoutPadding().encodeToString(key));
            for (String form : forms) {
                assertFalse(text.contains(form.substring(0, Math.min(form.length(), 24))),
                        "key bytes (or a 24-character prefix of an encoding) seen by the relay for " + keyFile);
            }
        }
    }

    @Test
    void guest_acceptsThenDropsConnections_retriedUntilItAnswers() throws Exception {
        try (RunningServer server = f.startServer();
             PeerFakes.Listener qemu = PeerFakes.droppingFirst(2, server.localAddress())) {
            CliRun noRetry = CliRun.of(f.releaseArgs(qemu.address(), f.hashJson, f.rawKey));
            assertEquals(1, noRetry.exit(), noRetry.toString());
            assertTrue(noRetry.err().contains("evidence:"), noRetry.err());

            CliRun run = CliRun.of(f.releaseArgs(qemu.address(), f.hashJson, f.rawKey, "--retries", "3"));
            assertEquals(0, run.exit(), run.toString());
            assertTrue(run.err().contains("retrying"), run.err());
            assertEquals(3, qemu.accepted.get());
        }
    }

    @Test
    void guest_hugeLengthPrefix_exit1OversizedNoRetry() throws Exception {
        try (PeerFakes.Listener guest = PeerFakes.answering(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xf0})) {
            CliRun run = CliRun.of(f.releaseArgs(guest.address(), f.hashJson, f.rawKey, "--retries", "3"));

            assertEquals(1, run.exit(), run.toString());
            assertTrue(run.err().contains("evidence: the guest sent a bad frame") && run.err().contains("exceeds the limit"),
                    run.err());
            assertEquals(1, guest.accepted.get(), "a protocol violation is not retried");
        }
    }

    @Test
    void guest_garbageFrame_exit1Malformed() throws Exception {
        byte[] garbage = {0, 0, 0, 8, 'n', 'o', 't', ' ', 'j', 's', 'o', 'n'};
        try (PeerFakes.Listener guest = PeerFakes.answering(garbage)) {
            CliRun run = CliRun.of(f.releaseArgs(guest.address(), f.hashJson, f.rawKey));

            assertEquals(1, run.exit(), run.toString());
            assertTrue(run.err().contains("evidence: the guest sent a bad frame"), run.err());
        }
    }

    @Test
    void guest_neverAnswers_timesOutAndRetriesTimeouts() throws Exception {
        try (PeerFakes.Listener guest = new PeerFakes.Listener(s -> s.getInputStream().transferTo(java.io.OutputStream.nullOutputStream()))) {
            long start = System.nanoTime();
            List<String> args = f.releaseArgs(guest.address(), f.hashJson, f.rawKey, "--retries", "1");
            args.set(args.indexOf("--timeout") + 1, "0.5");

            CliRun run = CliRun.of(args);

            assertEquals(1, run.exit(), run.toString());
            assertTrue(run.err().contains("no answer from the guest within 500 ms"), run.err());
            assertEquals(2, guest.accepted.get());
            assertTrue(System.nanoTime() - start < 10_000_000_000L, "bounded by the timeout");
        }
    }

    @Test
    void server_hostileClientsFirst_honestReleaseStillUnlocks() throws Exception {
        try (RunningServer server = f.startServer();
             Socket silent = new Socket(server.localAddress().getAddress(), server.localAddress().getPort())) {
            for (byte[] bad : List.of(new byte[] {0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'},
                    new byte[] {(byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff})) {
                try (Socket s = new Socket(server.localAddress().getAddress(), server.localAddress().getPort())) {
                    s.getOutputStream().write(bad);
                    s.setSoTimeout(10_000);
                    assertEquals(-1, s.getInputStream().read(), "the guest closes a bad client");
                }
            }
            silent.setSoTimeout(200);
            assertThrows(java.net.SocketTimeoutException.class, () -> silent.getInputStream().read(),
                    "the silent client is still held open while the honest one releases");
            assertHonestClientUnlocks(server);
        }
    }

    /**
     * Issue 11 (no shell, ever): after the unlock the agent extends "key consumed" into REM[3]
     * (FdeAgent does exactly this call). A process in the booted guest that later asks the same
     * TEE for evidence and serves it gets a token whose REM[3] the boot's event log does not
     * replay to: refused at the event-log stage, the key is never released again.
     */
    @Test
    void laterEvidence_afterKeyConsumedExtend_refusedAtEventLogRem3() throws Exception {
        SimulatedProvider tee = f.provider();
        try (RunningServer agent = f.startServer(tee)) {
            CliRun unlock = CliRun.of(f.releaseArgs(agent.localAddress(), f.hashJson, f.rawKey));
            assertEquals(0, unlock.exit(), unlock.toString());
        }
        assertInstanceOf(MeasurementExtension.Extended.class, tee.extend(MeasurementEvent.KEY_CONSUMED));

        try (RunningServer later = f.startServer(tee)) {
            CliRun run = CliRun.of(f.releaseArgs(later.localAddress(), f.hashJson, f.rawKey));

            assertEquals(3, run.exit(), run.toString());
            assertTrue(run.out().startsWith("VERDICT: REFUSED at event-log"), run.out());
            assertTrue(run.out().contains("REM[3]"), run.out());
        }
        assertEquals(1, f.received.size(), "the key reached the guest once, before the extension");
    }

    @Test
    void refusal_bytesSentToTheGuest_nameTheStageOnlyNoReferenceDigest() throws Exception {
        ByteArrayOutputStream toGuest = new ByteArrayOutputStream();
        CliRun run;
        try (RunningServer server = f.startServer();
             PeerFakes.Listener relay = PeerFakes.recordingToGuest(server.localAddress(), toGuest)) {
            run = CliRun.of(f.releaseArgs(relay.address(), f.wrongHashJson, f.rawKey));
            assertEquals(3, run.exit(), run.toString());
            for (int i = 0; i < 200 && !sent(toGuest).contains("refusal"); i++) {
                Thread.sleep(25);
            }
        }
        String sent = sent(toGuest).toLowerCase(java.util.Locale.ROOT);
        assertTrue(sent.contains("\"stages\":[\"boot-components\"]"), sent);
        java.util.Set<String> digests = new java.util.TreeSet<>();
        for (Path baseline : List.of(f.wrongHashJson, f.hashJson)) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("[0-9a-fA-F]{32,}").matcher(Files.readString(baseline));
            while (m.find()) {
                digests.add(m.group().toLowerCase(java.util.Locale.ROOT));
            }
        }
        assertFalse(digests.isEmpty(), "the baselines hold reference digests");
        for (String digest : digests) {
            assertFalse(sent.contains(digest.substring(0, 10)), "the guest was sent (a prefix of) " + digest);
        }
        assertTrue(digests.stream().anyMatch(d -> run.out().toLowerCase(java.util.Locale.ROOT).contains(d.substring(0, 10))),
                "the details (expected vs actual) stay in the host's verdict table: " + run.out());
    }

    private static String sent(ByteArrayOutputStream record) {
        synchronized (record) {
            return record.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static void awaitVerdicts(PeerFakes.Listener l, int n) throws InterruptedException {
        for (int i = 0; i < 200 && l.verdicts.size() < n; i++) {
            Thread.sleep(25);
        }
        assertEquals(n, l.verdicts.size());
    }
}
