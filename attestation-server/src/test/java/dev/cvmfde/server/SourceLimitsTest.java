package dev.cvmfde.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.Ack;
import dev.cvmfde.protocol.wire.EvidenceRequest;
import dev.cvmfde.protocol.wire.FrameWriter;
import dev.cvmfde.protocol.wire.WireException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-source limits with real sockets: the server listens on 127.0.0.1 and each peer binds its own
 * loopback source address (127.0.0.2 is the noisy one, 127.0.0.3 and up are others, e.g. the
 * genuine verifier), as different hosts on the network would.
 */
@Timeout(60)
class SourceLimitsTest {
    static final String NOISY = "127.0.0.2";
    static final String VERIFIER = "127.0.0.3";
    static final String OTHER = "127.0.0.4";

    RunningServer server;
    final RecordingSink sink = RecordingSink.unlocking();
    final List<TestVerifier> held = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (TestVerifier peer : held) {
            peer.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void flood_fromOneSource_anotherSourceCompletesTheExchange() throws Exception {
        server = AttestationServer.start(AttestationServerTest.config(sink));
        int served = 0;
        int closed = 0;
        for (int i = 0; i < ConnectionLimits.DEFAULT_MAX_CONNECTIONS + 4; i++) {
            TestVerifier peer = hold(NOISY);
            if (closedWithin(peer, Duration.ofMillis(300))) {
                closed++;
            } else {
                served++;
            }
        }
        assertEquals(ConnectionLimits.DEFAULT_MAX_CONNECTIONS_PER_SOURCE, served, "connections served for one source");
        assertEquals(ConnectionLimits.DEFAULT_MAX_CONNECTIONS + 4 - served, closed);

        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicInteger floodRequests = new AtomicInteger();
        Thread flood = Thread.ofPlatform().start(() -> {
            while (flooding.get()) {
                try (TestVerifier peer = TestVerifier.connect(from(NOISY), server.localAddress())) {
                    floodRequests.incrementAndGet();
                    peer.socket.setSoTimeout(500);
                    peer.requestEvidence();
                } catch (IOException | WireException expected) {
                    // cut off by the per-source limits
                }
            }
        });
        try {
            Thread.sleep(200);
            assertUnlocks(VERIFIER);
        } finally {
            flooding.set(false);
            flood.join();
        }
        assertTrue(floodRequests.get() > 0, "the flood ran");
    }

    @Test
    void perSourceLimit_excessConnectionsFromOneSourceClosed_otherSourceServed() throws Exception {
        server = AttestationServer.start(AttestationServerTest.config(sink)
                .withLimits(ConnectionLimits.defaults().withMaxConnectionsPerSource(2)));
        try (LogCapture log = new LogCapture()) {
            assertFalse(closedWithin(hold(NOISY), Duration.ofMillis(300)));
            assertFalse(closedWithin(hold(NOISY), Duration.ofMillis(300)));
            assertTrue(closedWithin(hold(NOISY), Duration.ofSeconds(5)));
            assertTrue(log.any("maxConnectionsPerSource"), log.lines.toString());
        }
        assertUnlocks(VERIFIER);
    }

    @Test
    void queue_allSlotsBusy_queuedConnectionServedWhenASlotFrees() throws Exception {
        server = AttestationServer.start(AttestationServerTest.config(sink)
                .withLimits(ConnectionLimits.defaults().withMaxConnections(2)));
        TestVerifier first = hold(NOISY);
        first.requestEvidence();
        hold(OTHER).requestEvidence();
        try (TestVerifier queued = TestVerifier.connect(from(VERIFIER), server.localAddress());
             SecretBytes key = AttestationServerTest.randomKey()) {
            assertFalse(closedWithin(queued, Duration.ofMillis(300)), "a queued connection is held open, not closed");
            first.close();
            Ack ack = queued.fullExchange(key, AttestationServerTest.VERIFIER);
            assertTrue(ack.unlocked(), ack.detail());
        }
    }

    @Test
    void queue_slotFrees_sourceWithFewestConnectionsGoesFirst() throws Exception {
        server = AttestationServer.start(AttestationServerTest.config(sink)
                .withLimits(ConnectionLimits.defaults().withMaxConnections(3).withMaxConnectionsPerSource(3)));
        hold(NOISY).requestEvidence();
        hold(NOISY).requestEvidence();
        TestVerifier other = hold(OTHER);
        other.requestEvidence();
        TestVerifier noisyQueued = hold(NOISY); // queued first
        noisyQueued.sendRequest();
        Thread.sleep(100);
        try (TestVerifier verifier = TestVerifier.connect(from(VERIFIER), server.localAddress());
             SecretBytes key = AttestationServerTest.randomKey()) {
            verifier.sendRequest(); // queued second
            Thread.sleep(100);
            other.close();
            // the verifier's source holds no connection, the noisy one holds two: the verifier is served next
            assertTrue(silentFor(noisyQueued, Duration.ofMillis(500)), "the noisy source's queued connection waits");
            Ack ack = verifier.finishExchange(key, AttestationServerTest.VERIFIER);
            assertTrue(ack.unlocked(), ack.detail());
        }
    }

    @Test
    void queue_full_excessClosedOnAccept() throws Exception {
        server = AttestationServer.start(AttestationServerTest.config(sink)
                .withLimits(ConnectionLimits.defaults().withMaxConnections(1).withMaxQueuedConnections(1)));
        hold(NOISY).requestEvidence();
        TestVerifier queued = hold(OTHER);
        try (LogCapture log = new LogCapture()) {
            assertTrue(closedWithin(hold(VERIFIER), Duration.ofSeconds(5)), "queue full: closed on accept");
            assertTrue(log.any("maxQueuedConnections"), log.lines.toString());
        }
        assertFalse(closedWithin(queued, Duration.ofMillis(200)));
    }

    @Test
    void queue_noSlotWithinTheReadTimeout_queuedConnectionClosed() throws Exception {
        server = AttestationServer.start(AttestationServerTest.config(sink).withReadTimeout(Duration.ofMillis(400))
                .withLimits(ConnectionLimits.defaults().withMaxConnections(1)));
        TestVerifier busy = hold(NOISY);
        busy.requestEvidence();
        byte[] partial = FrameWriter.frame(EvidenceRequest.fresh(new java.security.SecureRandom()));
        try (LogCapture log = new LogCapture()) {
            TestVerifier queued = hold(VERIFIER);
            for (int i = 0; i < 10; i++) { // the busy peer keeps its slot: each byte restarts its read timeout
                busy.out().write(partial[i]);
                busy.out().flush();
                Thread.sleep(100);
            }
            assertTrue(closedWithin(queued, Duration.ofSeconds(5)));
            assertTrue(log.any("closing queued connection"), log.lines.toString());
        }
    }

    @Test
    void evidenceRate_oneSourceOverItsRate_otherSourceStillAnswered() throws Exception {
        server = AttestationServer.start(AttestationServerTest.config(sink)
                .withLimits(ConnectionLimits.defaults().withEvidenceRequestsPerSecondPerSource(2)));
        int cutOff = 0;
        try (LogCapture log = new LogCapture()) {
            for (int i = 0; i < 8; i++) {
                try (TestVerifier peer = TestVerifier.connect(from(NOISY), server.localAddress())) {
                    peer.requestEvidence();
                } catch (IOException | WireException e) {
                    cutOff++;
                }
            }
            assertTrue(cutOff > 0, "no request of the noisy source was cut off");
            awaitLog(log, "evidenceRequestsPerSecondPerSource");
        }
        assertUnlocks(VERIFIER);
    }

    private void assertUnlocks(String source) throws Exception {
        try (TestVerifier client = TestVerifier.connect(from(source), server.localAddress());
             SecretBytes key = AttestationServerTest.randomKey()) {
            Ack ack = client.fullExchange(key, AttestationServerTest.VERIFIER);
            assertTrue(ack.unlocked(), ack.detail());
        }
    }

    private TestVerifier hold(String source) throws IOException {
        TestVerifier peer = TestVerifier.connect(from(source), server.localAddress());
        held.add(peer);
        return peer;
    }

    static InetAddress from(String source) throws IOException {
        return InetAddress.getByName(source);
    }

    /** True if the server closed the connection within {@code wait}; false if it is still open and silent. */
    static boolean closedWithin(TestVerifier peer, Duration wait) throws IOException {
        int before = peer.socket.getSoTimeout();
        peer.socket.setSoTimeout(Math.toIntExact(wait.toMillis()));
        try {
            return peer.socket.getInputStream().read() == -1;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        } finally {
            if (!peer.socket.isClosed()) {
                peer.socket.setSoTimeout(before);
            }
        }
    }

    /** True if nothing at all arrives on the connection within {@code wait} (not even its close). */
    static boolean silentFor(TestVerifier peer, Duration wait) throws IOException {
        peer.socket.setSoTimeout(Math.toIntExact(wait.toMillis()));
        try {
            peer.socket.getInputStream().read();
            return false;
        } catch (SocketTimeoutException silent) {
            return true;
        }
    }

    private static void awaitLog(LogCapture log, String fragment) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!log.any(fragment) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(log.any(fragment), "no log line with '" + fragment + "' in " + log.lines);
    }
}
