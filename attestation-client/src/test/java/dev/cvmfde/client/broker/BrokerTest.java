package dev.cvmfde.client.broker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.client.store.AuditRecord;
import dev.cvmfde.client.store.AuditVerification;
import dev.cvmfde.client.store.ImageId;
import dev.cvmfde.client.store.ImageStore;
import dev.cvmfde.client.store.ImageStores;
import dev.cvmfde.client.store.RootKey;
import dev.cvmfde.client.store.Verdict;
import dev.cvmfde.protocol.release.EphemeralKeys;
import dev.cvmfde.protocol.release.PinnedVerifierKey;
import dev.cvmfde.protocol.release.ReleaseOpener;
import dev.cvmfde.protocol.release.ReleaseRejectedException;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.ChallengeBinding;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.MessageJson;
import dev.cvmfde.server.UnlockOutcome;
import dev.cvmfde.server.provider.RawEvidence;
import dev.cvmfde.server.pull.PullClient;
import dev.cvmfde.server.pull.PullOutcome;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker in-process over a real directory store, with real guests ({@code PullClient}, simulated TEE). */
class BrokerTest {
    @TempDir
    Path dir;

    BrokerFixture f;
    RootKey root;
    ImageStore store;
    final List<byte[]> received = new CopyOnWriteArrayList<>();
    final List<String> progress = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        f = new BrokerFixture(dir, 2);
        root = f.openRootKey();
        store = ImageStores.open(f.storeSpec(), root);
    }

    @AfterEach
    void tearDown() {
        store.close();
        root.close();
    }

    private PullOutcome pull(RunningBroker broker, String imageId, Duration giveUp) throws Exception {
        var config = f.guestConfig(broker.localAddress(), imageId, f.guest.provider(), key -> {
            received.add(key.copy());
            return UnlockOutcome.unlocked("test sink");
        }).withBackoff(Duration.ofMillis(50), Duration.ofMillis(200), giveUp);
        return new PullClient(config, progress::add).fetch();
    }

    @Test
    void pull_genuineGuest_releasedAndAudited() throws Exception {
        try (RunningBroker broker = f.startBroker(store, BrokerLimits.defaults())) {
            PullOutcome outcome = pull(broker, "fleet-02", Duration.ofSeconds(30));
            assertInstanceOf(PullOutcome.Unlocked.class, outcome, () -> outcome + " " + progress);
            assertEquals(1, ((PullOutcome.Unlocked) outcome).attempts());
            assertArrayEquals(f.keys.get("fleet-02"), received.getFirst());
        }
        AuditRecord last = store.audit().tail(1).getFirst();
        assertEquals(Verdict.RELEASED, last.event().verdict());
        assertEquals("fleet-02", last.event().imageId());
        assertInstanceOf(AuditVerification.Intact.class, store.audit().verify());
    }

    @Test
    void pull_storedBaselineDoesNotMatch_refusedAtBootComponentsAndRecorded() throws Exception {
        try (SecretBytes key = SecretBytes.copyOf(new byte[32])) {
            store.add(ImageId.of("other-kernel"), f.signedBaseline(f.guest.wrongHashJson), key);
        }
        try (RunningBroker broker = f.startBroker(store, BrokerLimits.defaults())) {
            PullOutcome outcome = pull(broker, "other-kernel", Duration.ofMillis(300));
            assertInstanceOf(PullOutcome.GaveUp.class, outcome);
            assertTrue(((PullOutcome.GaveUp) outcome).lastProblem().contains("boot-components"), outcome::toString);
        }
        assertTrue(received.isEmpty());
        AuditRecord last = store.audit().tail(1).getFirst();
        assertEquals(Verdict.REFUSED, last.event().verdict());
        assertTrue(last.event().failedChecks().stream().anyMatch(c -> c.startsWith("boot-components/")),
                () -> last.event().failedChecks().toString());
    }

    @Test
    void pull_unknownImage_refusedAtImage() throws Exception {
        try (RunningBroker broker = f.startBroker(store, BrokerLimits.defaults())) {
            PullOutcome outcome = pull(broker, "no-such-image", Duration.ofMillis(300));
            assertTrue(((PullOutcome.GaveUp) outcome).lastProblem().contains("failed stages: image"), outcome::toString);
        }
        assertEquals(List.of("image/known: the store has no image 'no-such-image' or accepts none of its baselines now"),
                store.audit().tail(1).getFirst().event().failedChecks());
    }

    @Test
    void pull_brokerSigningWithAKeyTheGuestDoesNotPin_guestRefusesTheReleaseAndNothingUnlocks() throws Exception {
        Path otherPinned = dir.resolve("other.pub.pem");
        dev.cvmfde.protocol.release.VerifierKeys.writePublicPem(
                dev.cvmfde.protocol.release.VerifierKeys.generate().toPublicJWK(), otherPinned);
        try (RunningBroker broker = f.startBroker(store, BrokerLimits.defaults())) {
            var config = new dev.cvmfde.server.pull.PullConfig(
                    java.net.URI.create("http://127.0.0.1:" + broker.localAddress().getPort()), "fleet-01",
                    f.guest.provider(), dev.cvmfde.server.VerifierTrust.pinned(PinnedVerifierKey.read(otherPinned)),
                    key -> {
                        received.add(key.copy());
                        return UnlockOutcome.unlocked("test sink");
                    }, Duration.ofSeconds(30), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(300),
                    Clock.systemUTC());
            PullOutcome outcome = new PullClient(config, progress::add).fetch();
            assertTrue(((PullOutcome.GaveUp) outcome).lastProblem().startsWith("release refused (SIGNATURE)"),
                    outcome::toString);
        }
        assertTrue(received.isEmpty());
    }

    /** Evidence for {@code nonce}, bound to {@code key} (the guest's TEE at work). */
    private Evidence evidence(byte[] nonce, ECKey key) throws Exception {
        RawEvidence raw = f.guest.provider().collect(ChallengeBinding.challenge(nonce, key.toPublicJWK()));
        return new Evidence(raw.token(), raw.eventLog(), raw.certificateChain(), key.toPublicJWK(), "simulated");
    }

    @Test
    void decide_nonceFromBrokerWithAnotherKey_refusedAtNonce() throws Exception {
        BrokerReleases ours = f.releases(store, Clock.systemUTC());
        byte[] otherKey = new byte[32];
        otherKey[0] = 7;
        byte[] foreign;
        try (SecretBytes k = SecretBytes.copyOf(otherKey)) {
            foreign = new BrokerNonces(k, Clock.systemUTC(), Duration.ofSeconds(60)).issue("fleet-01");
        }
        ECKey key = EphemeralKeys.generate();
        Evidence e = evidence(foreign, key);
        var verdict = ours.decide("fleet-01", foreign, e, MessageJson.encode(e), "test");
        assertEquals(List.of("nonce"), ((BrokerVerdict.Refused) verdict).stages());
    }

    @Test
    void decide_nonceIssuedForAnotherImage_refusedAtNonce() throws Exception {
        BrokerReleases releases = f.releases(store, Clock.systemUTC());
        byte[] nonce = releases.challenge("fleet-01");
        ECKey key = EphemeralKeys.generate();
        Evidence e = evidence(nonce, key);
        var verdict = releases.decide("fleet-02", nonce, e, MessageJson.encode(e), "test");
        assertEquals(List.of("nonce"), ((BrokerVerdict.Refused) verdict).stages());
    }

    @Test
    void decide_expiredNonce_refusedAtNonce() throws Exception {
        Instant t0 = Instant.now();
        byte[] nonce = f.releases(store, Clock.fixed(t0, ZoneOffset.UTC)).challenge("fleet-01");
        ECKey key = EphemeralKeys.generate();
        Evidence e = evidence(nonce, key);
        var later = f.releases(store, Clock.fixed(t0.plus(BrokerNonces.DEFAULT_LIFETIME).plusSeconds(1), ZoneOffset.UTC));
        var verdict = later.decide("fleet-01", nonce, e, MessageJson.encode(e), "test");
        assertEquals(List.of("nonce"), ((BrokerVerdict.Refused) verdict).stages());
    }

    @Test
    void decide_recordedEvidenceWithTheAttackersKey_refusedAtFreshness() throws Exception {
        BrokerReleases releases = f.releases(store, Clock.systemUTC());
        byte[] nonce = releases.challenge("fleet-01");
        Evidence genuine = evidence(nonce, EphemeralKeys.generate());
        ECKey attacker = EphemeralKeys.generate();
        Evidence swapped = new Evidence(genuine.token(), genuine.eventLog(), genuine.certChain(), attacker.toPublicJWK(),
                "simulated");
        var verdict = releases.decide("fleet-01", nonce, swapped, MessageJson.encode(swapped), "test");
        assertTrue(((BrokerVerdict.Refused) verdict).stages().contains("freshness"), verdict::toString);
    }

    @Test
    void decide_replayedWithinWindow_releaseOpensOnlyForTheGuestsKey() throws Exception {
        BrokerReleases releases = f.releases(store, Clock.systemUTC());
        byte[] nonce = releases.challenge("fleet-01");
        ECKey guestKey = EphemeralKeys.generate();
        Evidence e = evidence(nonce, guestKey);
        releases.decide("fleet-01", nonce, e, MessageJson.encode(e), "guest");
        // a replay of the same nonce and evidence is answered (nonces are stateless) …
        var replayed = (BrokerVerdict.Released) releases.decide("fleet-01", nonce, e, MessageJson.encode(e), "replayer");
        // … but sealed to the guest's ephemeral key: without its private half nothing opens
        PinnedVerifierKey pinned = PinnedVerifierKey.read(f.guest.pinned);
        ECKey replayersKey = EphemeralKeys.generate();
        assertThrows(ReleaseRejectedException.class,
                () -> ReleaseOpener.open(replayed.jws(), pinned, replayersKey, nonce, Clock.systemUTC()));
        try (SecretBytes opened = ReleaseOpener.open(replayed.jws(), pinned, guestKey, nonce, Clock.systemUTC())) {
            assertArrayEquals(f.keys.get("fleet-01"), opened.copy());
        }
    }

    private static final String CHALLENGE = "POST /v1/challenge HTTP/1.1\r\nContent-Length: 22\r\n\r\n{\"imageId\":\"fleet-01\"}";

    /** Raw HTTP: writes {@code request}, returns the status line (or "closed"). */
    private static String raw(InetSocketAddress broker, String request) throws Exception {
        try (Socket s = new Socket(broker.getAddress(), broker.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            return head.length == 0 ? "closed" : new String(head, StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void http_badRequests_answeredAndBrokerKeepsServing() throws Exception {
        try (RunningBroker broker = f.startBroker(store, BrokerLimits.defaults())) {
            InetSocketAddress a = broker.localAddress();
            assertEquals("HTTP/1.1 413", raw(a, "POST /v1/release HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n"));
            assertEquals("HTTP/1.1 411", raw(a, "POST /v1/release HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
            assertEquals("HTTP/1.1 405", raw(a, "GET /v1/challenge HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
            assertEquals("HTTP/1.1 404", raw(a, "POST /etc/passwd HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
            assertEquals("HTTP/1.1 400", raw(a, "POST /v1/challenge HTTP/1.1\r\nContent-Length: 5\r\n\r\n{{{{{"));
            assertEquals("HTTP/1.1 400", raw(a, "POST /v1/challenge HTTP/1.1\r\nContent-Length: 17\r\n\r\n{\"imageId\":\"../\"}"));
            assertEquals("HTTP/1.1 400", raw(a, "POST /v1/release HTTP/1.1\r\nCvmfde-Image-Id: fleet-01\r\nCvmfde-Nonce: x\r\n"
                    + "Content-Length: 2\r\n\r\n{}"));
            String longHeader = "X: " + "a".repeat(20_000) + "\r\n";
            String answer = raw(a, "POST /v1/challenge HTTP/1.1\r\n" + longHeader + "Content-Length: 0\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 4") || answer.equals("closed"), answer);
            assertInstanceOf(PullOutcome.Unlocked.class, pull(broker, "fleet-01", Duration.ofSeconds(30)));
        }
    }

    @Test
    void connections_overPerSourceLimit_closedOnAccept() throws Exception {
        try (RunningBroker broker = f.startBroker(store, BrokerLimits.defaults().withMaxConnectionsPerSource(2))) {
            InetSocketAddress a = broker.localAddress();
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    held.add(new Socket(a.getAddress(), a.getPort()));
                }
                Thread.sleep(200);
                assertEquals("closed", raw(a, CHALLENGE));
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
            Thread.sleep(200);
            assertTrue(raw(a, CHALLENGE)
                    .equals("HTTP/1.1 200"));
        }
    }

    @Test
    void buffered_overBudget_answered503WithoutBuffering() throws Exception {
        BrokerLimits limits = BrokerLimits.defaults().withMaxBufferedBytes(BrokerLimits.DEFAULT_MAX_REQUEST_BYTES);
        try (RunningBroker broker = f.startBroker(store, limits)) {
            InetSocketAddress a = broker.localAddress();
            int big = BrokerLimits.DEFAULT_MAX_REQUEST_BYTES - 10;
            try (Socket first = new Socket(a.getAddress(), a.getPort())) {
                // announces a body it never sends: its bytes stay reserved
                first.getOutputStream().write(("POST /v1/release HTTP/1.1\r\nContent-Length: " + big + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                first.getOutputStream().flush();
                Thread.sleep(300);
                assertEquals("HTTP/1.1 503", raw(a, "POST /v1/release HTTP/1.1\r\nContent-Length: 100\r\n\r\n"));
            }
            Thread.sleep(300);
            assertInstanceOf(PullOutcome.Unlocked.class, pull(broker, "fleet-01", Duration.ofSeconds(30)));
        }
    }
}
