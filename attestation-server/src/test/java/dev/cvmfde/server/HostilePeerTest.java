package dev.cvmfde.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cvmfde.protocol.release.PinnedVerifierKey;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.Ack;
import dev.cvmfde.protocol.wire.EvidenceRequest;
import dev.cvmfde.protocol.wire.FrameWriter;
import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceProvider;
import dev.cvmfde.server.provider.RawEvidence;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Peers that misbehave: each is cut off, and the next legitimate verifier still unlocks. */
class HostilePeerTest {
    /** The tests' read timeout is 300 ms; a server that has not closed a silent peer by this has stopped doing so. */
    static final Duration SILENT_PEER_CLOSED_WITHIN = Duration.ofSeconds(5);

    RunningServer server;
    final RecordingSink sink = RecordingSink.unlocking();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    void start(ServerConfig config) throws ServerStartException {
        server = AttestationServer.start(config);
    }

    void startDefault() throws ServerStartException {
        start(AttestationServerTest.config(sink));
    }

    void assertNextClientUnlocks() throws Exception {
        try (TestVerifier client = TestVerifier.connect(server.localAddress());
             SecretBytes key = AttestationServerTest.randomKey()) {
            Ack ack = client.fullExchange(key, AttestationServerTest.VERIFIER);
            assertTrue(ack.unlocked(), ack.detail());
        }
    }

    @Test
    void garbage_httpRequest_connectionClosedNextClientUnlocks() throws Exception {
        startDefault();
        try (LogCapture log = new LogCapture(); TestVerifier peer = TestVerifier.connect(server.localAddress())) {
            peer.out().write("GET / HTTP/1.1\r\nHost: guest\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(peer.closedByServer());
            awaitLog(log, "wire: frame");
        }
        assertNextClientUnlocks();
    }

    @Test
    void garbage_jsonThatIsNoMessage_connectionClosedNextClientUnlocks() throws Exception {
        startDefault();
        try (TestVerifier peer = TestVerifier.connect(server.localAddress())) {
            byte[] body = "{\"type\":\"release\",\"version\":1,\"jws\":\"a.b.c\"}".getBytes(StandardCharsets.UTF_8);
            OutputStream out = peer.out();
            out.write(new byte[] {0, 0, 0, (byte) body.length});
            out.write(body);
            assertTrue(peer.closedByServer());
        }
        assertNextClientUnlocks();
    }

    @Test
    void hugeLength_connectionClosedBeforeBufferingNextClientUnlocks() throws Exception {
        startDefault();
        try (LogCapture log = new LogCapture(); TestVerifier peer = TestVerifier.connect(server.localAddress())) {
            peer.out().write(new byte[] {(byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            assertTrue(peer.closedByServer());
            awaitLog(log, "exceeds the limit");
        }
        assertNextClientUnlocks();
    }

    @Test
    void silentClient_readTimeoutClosesItNextClientUnlocks() throws Exception {
        start(AttestationServerTest.config(sink).withReadTimeout(Duration.ofMillis(300)));
        try (LogCapture log = new LogCapture(); TestVerifier peer = TestVerifier.connect(server.localAddress())) {
            assertTrue(peer.closedByServer(SILENT_PEER_CLOSED_WITHIN),
                    "a peer silent before its request was not closed within " + SILENT_PEER_CLOSED_WITHIN);
            awaitLog(log, "read timeout");
        }
        assertNextClientUnlocks();
    }

    @Test
    void silentAfterEvidence_readTimeoutClosesIt() throws Exception {
        start(AttestationServerTest.config(sink).withReadTimeout(Duration.ofMillis(300)));
        try (LogCapture log = new LogCapture(); TestVerifier peer = TestVerifier.connect(server.localAddress())) {
            peer.requestEvidence();
            assertTrue(peer.closedByServer(SILENT_PEER_CLOSED_WITHIN),
                    "a peer silent after the evidence was not closed within " + SILENT_PEER_CLOSED_WITHIN);
            awaitLog(log, "read timeout");
            awaitLog(log, "waiting for a release or refusal");
        }
        assertNextClientUnlocks();
    }

    @Test
    void tricklingClient_sessionTimeoutClosesIt() throws Exception {
        start(AttestationServerTest.config(sink).withReadTimeout(Duration.ofSeconds(5))
                .withSessionTimeout(Duration.ofMillis(500)));
        try (LogCapture log = new LogCapture(); TestVerifier peer = TestVerifier.connect(server.localAddress())) {
            byte[] frame = FrameWriter.frame(EvidenceRequest.fresh(new SecureRandom()));
            boolean closed = false;
            for (int i = 0; i < frame.length - 1 && !closed; i++) {
                try {
                    peer.out().write(frame[i]);
                    Thread.sleep(100);
                } catch (java.io.IOException e) {
                    closed = true;
                }
            }
            assertTrue(closed || peer.closedByServer());
            awaitLog(log, "session timeout");
        }
        assertNextClientUnlocks();
    }

    @Test
    void disconnectMidFrame_loggedNextClientUnlocks() throws Exception {
        startDefault();
        try (LogCapture log = new LogCapture()) {
            try (TestVerifier peer = TestVerifier.connect(server.localAddress())) {
                byte[] frame = FrameWriter.frame(EvidenceRequest.fresh(new SecureRandom()));
                peer.out().write(Arrays.copyOf(frame, frame.length / 2));
                peer.out().flush();
            }
            awaitLog(log, "closed");
        }
        assertNextClientUnlocks();
    }

    @Test
    void secondRequestInOneSession_protocolErrorNextClientUnlocks() throws Exception {
        startDefault();
        try (TestVerifier peer = TestVerifier.connect(server.localAddress())) {
            peer.requestEvidence();
            peer.writer.write(EvidenceRequest.fresh(new SecureRandom()));
            assertTrue(peer.closedByServer());
        }
        assertNextClientUnlocks();
    }

    @Test
    void tooManyConnections_excessClosedServerSurvives() throws Exception {
        start(AttestationServerTest.config(sink).withMaxConnections(2));
        List<TestVerifier> held = new ArrayList<>();
        try (LogCapture log = new LogCapture()) {
            for (int i = 0; i < 2; i++) {
                TestVerifier peer = TestVerifier.connect(server.localAddress());
                held.add(peer);
                peer.requestEvidence();
            }
            try (TestVerifier excess = TestVerifier.connect(server.localAddress())) {
                assertTrue(excess.closedByServer());
            }
            awaitLog(log, "connection refused");
            assertFalse(held.getFirst().closedByServer(Duration.ofMillis(200)), "a held connection was cut off");
        } finally {
            for (TestVerifier peer : held) {
                peer.close();
            }
        }
        awaitConnectionSlot();
        assertNextClientUnlocks();
    }

    @Test
    void providerFails_connectionClosedNextClientUnlocks() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        EvidenceProvider flaky = new EvidenceProvider() {
            final FakeTeeProvider real = new FakeTeeProvider();

            public String name() {
                return "flaky";
            }

            public RawEvidence collect(byte[] challenge) throws EvidenceException {
                if (calls.incrementAndGet() == 1) {
                    throw new EvidenceException(EvidenceException.Kind.BUSY, "flaky: the TEE is busy");
                }
                return real.collect(challenge);
            }
        };
        start(ServerConfig.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), flaky,
                VerifierTrust.pinned(new PinnedVerifierKey(AttestationServerTest.VERIFIER.toPublicJWK())), sink));
        try (LogCapture log = new LogCapture(); TestVerifier peer = TestVerifier.connect(server.localAddress())) {
            peer.writer.write(EvidenceRequest.fresh(new SecureRandom()));
            assertTrue(peer.closedByServer());
            awaitLog(log, "BUSY");
        }
        assertNextClientUnlocks();
    }

    @Test
    void evidenceRequests_overTheRate_cutOffWithoutAskingTheTee() throws Exception {
        AtomicInteger collected = new AtomicInteger();
        FakeTeeProvider fake = new FakeTeeProvider();
        EvidenceProvider counting = new EvidenceProvider() {
            public String name() {
                return "counting";
            }

            public RawEvidence collect(byte[] challenge) throws EvidenceException {
                collected.incrementAndGet();
                return fake.collect(challenge);
            }
        };
        start(ServerConfig.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), counting,
                VerifierTrust.pinned(new PinnedVerifierKey(AttestationServerTest.VERIFIER.toPublicJWK())), sink)
                .withEvidenceRequestsPerSecond(2));
        int cutOff = 0;
        int requests = 10;
        try (LogCapture log = new LogCapture()) {
            for (int i = 0; i < requests; i++) {
                try (TestVerifier peer = TestVerifier.connect(server.localAddress())) {
                    peer.requestEvidence();
                } catch (java.net.SocketTimeoutException e) {
                    fail("request #" + i + " got no answer and no close: the server kept an over-the-rate peer open");
                } catch (java.io.IOException | dev.cvmfde.protocol.wire.WireException e) {
                    cutOff++;
                }
            }
            awaitLog(log, "rate limit");
        }
        assertTrue(cutOff > 0, "no request was cut off");
        assertTrue(collected.get() == requests - cutOff, "the TEE was asked " + collected.get()
                + " times for " + (requests - cutOff) + " answered requests");
        Thread.sleep(1100);
        assertNextClientUnlocks();
    }

    @Test
    void logs_neverContainTheKey() throws Exception {
        startDefault();
        byte[] keyBytes = "correct-horse-battery-staple-0123456789".getBytes(StandardCharsets.US_ASCII);
        try (LogCapture log = new LogCapture()) {
            try (TestVerifier client = TestVerifier.connect(server.localAddress());
                 SecretBytes key = SecretBytes.copyOf(keyBytes)) {
                assertFalse(client.fullExchange(key, dev.cvmfde.protocol.release.VerifierKeys.generate()).unlocked());
            }
            try (TestVerifier client = TestVerifier.connect(server.localAddress());
                 SecretBytes key = SecretBytes.copyOf(keyBytes)) {
                assertTrue(client.fullExchange(key, AttestationServerTest.VERIFIER).unlocked());
            }
            server.awaitUnlocked(Duration.ofSeconds(10)).orElseThrow();
            server.close();
            List<String> forms = List.of(new String(keyBytes, StandardCharsets.US_ASCII),
                    HexFormat.of().formatHex(keyBytes), java.util.Base64.getEncoder().encodeToString(keyBytes),
                    java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(keyBytes));
            assertTrue(log.lines.size() >= 4, "the exchange was logged");
            for (String line : log.lines) {
                for (String form : forms) {
                    assertFalse(line.contains(form), "log line contains the key: " + line);
                }
            }
        }
    }

    private static void awaitLog(LogCapture log, String fragment) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!log.any(fragment) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(log.any(fragment), "no log line with '" + fragment + "' in " + log.lines);
    }

    /** The limiter counts a connection until its close has been processed on the server side. */
    private void awaitConnectionSlot() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            try (TestVerifier probe = TestVerifier.connect(server.localAddress())) {
                probe.socket.setSoTimeout(200);
                try {
                    probe.writer.write(EvidenceRequest.fresh(new SecureRandom()));
                    if (probe.reader.read(dev.cvmfde.protocol.wire.Expect.HOST_AWAITING_EVIDENCE) != null) {
                        return;
                    }
                } catch (java.io.IOException | dev.cvmfde.protocol.wire.WireException e) {
                    Thread.sleep(50);
                }
            }
        }
    }
}
