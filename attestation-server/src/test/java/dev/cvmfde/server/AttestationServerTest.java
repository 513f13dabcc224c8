package dev.cvmfde.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.release.EphemeralKeys;
import dev.cvmfde.protocol.release.PinnedVerifierKey;
import dev.cvmfde.protocol.release.TestReleases;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.protocol.secret.KeyFile;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.Ack;
import dev.cvmfde.protocol.wire.ChallengeBinding;
import dev.cvmfde.protocol.wire.Evidence;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttestationServerTest {
    static final ECKey VERIFIER = VerifierKeys.generate();
    static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;
    RunningServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    static ServerConfig config(KeySink sink) {
        return ServerConfig.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new FakeTeeProvider(),
                VerifierTrust.pinned(new PinnedVerifierKey(VERIFIER.toPublicJWK())), sink);
    }

    RunningServer start(KeySink sink, UnaryOperator<ServerConfig> customize) throws ServerStartException {
        server = AttestationServer.start(customize.apply(config(sink)));
        return server;
    }

    static SecretBytes randomKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return SecretBytes.takeOwnership(bytes);
    }

    /** A legitimate verifier unlocks the server: proves it is still serving after whatever came before. */
    void assertNextClientUnlocks(RecordingSink sink) throws Exception {
        try (TestVerifier client = TestVerifier.connect(server.localAddress()); SecretBytes key = randomKey()) {
            Ack ack = client.fullExchange(key, VERIFIER);
            assertTrue(ack.unlocked(), ack.detail());
            assertArrayEquals(key.copy(), sink.received.getLast());
        }
        assertInstanceOf(ServerOutcome.Unlocked.class, server.awaitUnlocked(Duration.ofSeconds(10)).orElseThrow());
    }

    @Test
    void start_validRelease_sinkGetsKeyFileBytesAckedAndServerStops() throws Exception {
        Path keyPath = dir.resolve("rootfs.key");
        try (KeyFile generated = KeyFile.generateRaw(RANDOM)) {
            generated.writeNew(keyPath);
        }
        byte[] fileBytes = Files.readAllBytes(keyPath);
        RecordingSink sink = RecordingSink.unlocking();
        start(sink, c -> c);
        try (TestVerifier client = TestVerifier.connect(server.localAddress());
             KeyFile keyFile = KeyFile.read(keyPath)) {
            Evidence evidence = client.requestEvidence();
            assertArrayEquals(ChallengeBinding.challenge(client.nonce, evidence.ephemeralKey()),
                    FakeTeeProvider.challengeIn(evidence.token()));
            assertEquals("fake.test", evidence.provider());
            Ack ack = client.release(TestReleases.seal(keyFile.passphrase(), evidence.ephemeralKey(), client.nonce, VERIFIER));
            assertTrue(ack.unlocked());
            assertEquals("test volume opened", ack.detail());
        }
        assertEquals(1, sink.received.size());
        assertArrayEquals(fileBytes, sink.received.getFirst());
        assertTrue(sink.lent.getFirst().isDestroyed(), "key zeroized after the sink returned");
        ServerOutcome outcome = server.awaitUnlocked(Duration.ofSeconds(10)).orElseThrow();
        assertEquals("test volume opened", assertInstanceOf(ServerOutcome.Unlocked.class, outcome).detail());
        server.close();
        assertFalse(server.isServing());
        assertThrows(ConnectException.class, () -> TestVerifier.connect(server.localAddress()).close());
    }

    /**
     * The listener is closed before the ack leaves; the kernel drops the socket on the event
     * loop's next select, so a connection in that instant may still complete its handshake: it
     * then gets no evidence. Within a moment every connection is refused, without close().
     */
    @Test
    void start_afterUnlock_laterConnectionsGetNoEvidenceThenRefusedWithoutClose() throws Exception {
        RecordingSink sink = RecordingSink.unlocking();
        start(sink, c -> c);
        InetSocketAddress address = server.localAddress();
        try (TestVerifier client = TestVerifier.connect(address); SecretBytes key = randomKey()) {
            assertTrue(client.fullExchange(key, VERIFIER).unlocked());
            assertFalse(server.isServing(), "still listening after the key opened the volume");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        boolean refused = false;
        while (!refused && System.nanoTime() < deadline) {
            try (TestVerifier late = TestVerifier.connect(address)) {
                // closed (PeerClosed) or reset (IOException): either way, no evidence
                Exception e = assertThrows(Exception.class, late::requestEvidence, "evidence served after the unlock");
                assertTrue(e instanceof IOException || e instanceof dev.cvmfde.protocol.wire.WireException, e.toString());
                Thread.sleep(10);
            } catch (ConnectException e) {
                refused = true;
            }
        }
        assertTrue(refused, "connections still accepted 5 s after the unlock");
        assertEquals(1, sink.received.size());
    }

    @Test
    void start_eachConnection_getsItsOwnEphemeralKey() throws Exception {
        start(RecordingSink.unlocking(), c -> c);
        try (TestVerifier a = TestVerifier.connect(server.localAddress());
             TestVerifier b = TestVerifier.connect(server.localAddress())) {
            assertFalse(a.requestEvidence().ephemeralKey().equals(b.requestEvidence().ephemeralKey()));
        }
    }

    @Test
    void release_signedByUnpinnedKey_refusedAndNextClientUnlocks() throws Exception {
        RecordingSink sink = RecordingSink.unlocking();
        start(sink, c -> c);
        try (TestVerifier client = TestVerifier.connect(server.localAddress()); SecretBytes key = randomKey()) {
            Ack ack = client.fullExchange(key, VerifierKeys.generate());
            assertFalse(ack.unlocked());
            assertTrue(ack.detail().contains("signature"), ack.detail());
            assertTrue(client.closedByServer());
        }
        assertTrue(sink.received.isEmpty());
        assertTrue(server.isServing());
        assertNextClientUnlocks(sink);
    }

    @Test
    void release_relaySwappedEphemeralKey_refusedAsKeyBinding() throws Exception {
        RecordingSink sink = RecordingSink.unlocking();
        start(sink, c -> c);
        ECKey relayKey = EphemeralKeys.generate();
        try (TestVerifier client = TestVerifier.connect(server.localAddress()); SecretBytes key = randomKey()) {
            client.requestEvidence();
            // The relay showed the verifier its own key instead of the guest's; the verifier sealed to it.
            Ack ack = client.release(TestReleases.seal(key, relayKey.toPublicJWK(), client.nonce, VERIFIER));
            assertFalse(ack.unlocked());
            assertTrue(ack.detail().contains("key_binding"), ack.detail());
        }
        assertTrue(sink.received.isEmpty());
        assertNextClientUnlocks(sink);
    }

    @Test
    void release_replayedFromEarlierSession_refused() throws Exception {
        RecordingSink sink = RecordingSink.unlocking();
        start(sink, c -> c);
        String recorded;
        try (TestVerifier earlier = TestVerifier.connect(server.localAddress()); SecretBytes key = randomKey()) {
            Evidence evidence = earlier.requestEvidence();
            recorded = TestReleases.seal(key, evidence.ephemeralKey(), earlier.nonce, VERIFIER);
        }
        try (TestVerifier replayer = TestVerifier.connect(server.localAddress())) {
            replayer.requestEvidence();
            Ack ack = replayer.release(recorded);
            assertFalse(ack.unlocked());
            assertTrue(ack.detail().contains("nonce"), ack.detail());
        }
        assertTrue(sink.received.isEmpty());
        assertNextClientUnlocks(sink);
    }

    @Test
    void refusal_fromVerifier_loggedConnectionClosedServerKeepsServing() throws Exception {
        RecordingSink sink = RecordingSink.unlocking();
        start(sink, c -> c);
        try (LogCapture log = new LogCapture(); TestVerifier client = TestVerifier.connect(server.localAddress())) {
            client.requestEvidence();
            client.refuse("rim", "boot-components");
            assertTrue(client.closedByServer());
            assertTrue(log.any("refused to release the key: rim, boot-components"), String.join("", log.lines));
        }
        assertTrue(sink.received.isEmpty());
        assertNextClientUnlocks(sink);
    }

    @Test
    void sink_reportsFailure_ackNotUnlockedAndServerKeepsWaiting() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        RecordingSink sink = new RecordingSink(key -> calls.incrementAndGet() == 1
                ? UnlockOutcome.failed("cryptsetup: no key available with this passphrase")
                : UnlockOutcome.unlocked("opened"));
        start(sink, c -> c);
        try (TestVerifier client = TestVerifier.connect(server.localAddress()); SecretBytes key = randomKey()) {
            Ack ack = client.fullExchange(key, VERIFIER);
            assertFalse(ack.unlocked());
            assertTrue(ack.detail().contains("no key available"), ack.detail());
        }
        assertTrue(server.awaitUnlocked(Duration.ofMillis(200)).isEmpty());
        assertTrue(sink.lent.getFirst().isDestroyed());
        assertNextClientUnlocks(sink);
        assertEquals(2, sink.received.size());
    }

    @Test
    void sink_throws_ackNotUnlockedAndServerKeepsWaiting() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        RecordingSink sink = new RecordingSink(key -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("device busy");
            }
            return UnlockOutcome.unlocked("opened");
        });
        start(sink, c -> c);
        try (TestVerifier client = TestVerifier.connect(server.localAddress()); SecretBytes key = randomKey()) {
            assertFalse(client.fullExchange(key, VERIFIER).unlocked());
        }
        assertNextClientUnlocks(sink);
    }

    @Test
    void start_insecureAnyVerifier_acceptsAnySignerButStillChecksTheSession() throws Exception {
        RecordingSink sink = RecordingSink.unlocking();
        server = AttestationServer.start(ServerConfig.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new FakeTeeProvider(), VerifierTrust.insecureAnyVerifier(), sink));
        try (TestVerifier client = TestVerifier.connect(server.localAddress()); SecretBytes key = randomKey()) {
            client.requestEvidence();
            Ack ack = client.release(TestReleases.seal(key, EphemeralKeys.generate().toPublicJWK(), client.nonce,
                    VerifierKeys.generate()));
            assertTrue(ack.detail().contains("key_binding"), ack.detail());
        }
        try (TestVerifier client = TestVerifier.connect(server.localAddress()); SecretBytes key = randomKey()) {
            assertTrue(client.fullExchange(key, VerifierKeys.generate()).unlocked());
            assertArrayEquals(key.copy(), sink.received.getFirst());
        }
    }

    @Test
    void start_portInUse_failsWithServerStartException() throws Exception {
        start(RecordingSink.unlocking(), c -> c);
        ServerConfig same = ServerConfig.of(server.localAddress(), new FakeTeeProvider(),
                VerifierTrust.pinned(new PinnedVerifierKey(VERIFIER.toPublicJWK())), RecordingSink.unlocking());
        assertThrows(ServerStartException.class, () -> AttestationServer.start(same));
        assertTrue(server.isServing());
    }

    @Test
    void close_beforeUnlock_outcomeStopped() throws Exception {
        start(RecordingSink.unlocking(), c -> c);
        server.close();
        assertInstanceOf(ServerOutcome.Stopped.class, server.awaitUnlocked());
        assertThrows(IOException.class, () -> new Socket(server.localAddress().getAddress(),
                server.localAddress().getPort()).close());
    }
}
