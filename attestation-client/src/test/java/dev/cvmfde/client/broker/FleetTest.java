package dev.cvmfde.client.broker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.client.store.AuditVerification;
import dev.cvmfde.client.store.ImageStore;
import dev.cvmfde.client.store.ImageStores;
import dev.cvmfde.client.store.PostgresCluster;
import dev.cvmfde.client.store.Verdict;
import dev.cvmfde.protocol.release.EphemeralKeys;
import dev.cvmfde.protocol.release.PinnedVerifierKey;
import dev.cvmfde.protocol.release.ReleaseOpener;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.ChallengeBinding;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.EvidenceRequest;
import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.protocol.wire.MessageJson;
import dev.cvmfde.protocol.wire.Release;
import dev.cvmfde.server.UnlockOutcome;
import dev.cvmfde.server.provider.RawEvidence;
import dev.cvmfde.server.provider.simulated.SimulatedProvider;
import dev.cvmfde.server.pull.PullClient;
import dev.cvmfde.server.pull.PullOutcome;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleets against brokers in their own JVMs (the real {@code serve} command): 1,000 concurrent
 * simulated guests against one broker with a bounded heap, and two brokers sharing one
 * PostgreSQL store (a test-started cluster, {@link PostgresCluster}) and one nonce key, each serving part of a fleet, with an exchange begun at one and finished at the
 * other.
 */
class FleetTest {
    static final int GUESTS = 1000;
    static final int IMAGES = 4;
    /** The broker's heap: what "bounded" means here. */
    static final String BROKER_HEAP = "-Xmx128m";
    private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    @TempDir
    Path dir;

    /** Runs {@code count} guests at once (released together by a latch); returns their outcomes by image. */
    private static List<Map.Entry<String, PullOutcome>> fleet(BrokerFixture f, List<java.net.InetSocketAddress> brokers,
            int count, Map<Integer, byte[]> received, List<String> problems) throws Exception {
        List<String> ids = new ArrayList<>(f.keys.keySet());
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Map.Entry<String, PullOutcome>>> futures = new ArrayList<>();
        var identity = f.guest.identityDir;
        byte[] log = Files.readAllBytes(f.guest.eventLog);
        var quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                int n = i;
                String image = ids.get(n % ids.size());
                var provider = new SimulatedProvider(dev.cvmfde.server.provider.simulated.SimulatedIdentity.load(identity),
                        java.util.Optional.of(log), quiet);
                var config = f.guestConfig(brokers.get(n % brokers.size()), image, provider, key -> {
                    received.put(n, key.copy());
                    return UnlockOutcome.unlocked("guest " + n);
                });
                futures.add(threads.submit(() -> {
                    start.await();
                    return Map.entry(image, new PullClient(config, line -> {
                        if (line.contains("REFUSED") || line.contains("release refused")) {
                            problems.add("guest " + n + ": " + line);
                        }
                    }).fetch());
                }));
            }
            start.countDown();
            List<Map.Entry<String, PullOutcome>> outcomes = new ArrayList<>();
            for (var future : futures) {
                outcomes.add(future.get(5, TimeUnit.MINUTES));
            }
            return outcomes;
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void thousandConcurrentGuests_oneBrokerWithBoundedHeap_allReleasedNoneRefused() throws Exception {
        BrokerFixture f = new BrokerFixture(dir, IMAGES);
        Path gcLog = dir.resolve("broker-gc.log");
        Map<Integer, byte[]> received = new ConcurrentHashMap<>();
        List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
        long started;
        long millis;
        try (var broker = f.startChild(List.of(BROKER_HEAP, "-XX:+UseSerialGC", "-Xlog:gc:file=" + gcLog),
                dir.resolve("broker.log"), "--max-connections-per-source", "2048",
                "--max-buffered-mib", "16")) {
            started = System.nanoTime();
            var outcomes = fleet(f, List.of(broker.address()), GUESTS, received, problems);
            millis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(broker.process().isAlive(), "the broker died (out of memory?)");
            int attempts = 0;
            for (int i = 0; i < outcomes.size(); i++) {
                var e = outcomes.get(i);
                PullOutcome.Unlocked u = assertInstanceOf(PullOutcome.Unlocked.class, e.getValue(), "guest " + i);
                attempts += u.attempts();
                assertArrayEquals(f.keys.get(e.getKey()), received.get(i), "guest " + i + " got another image's key");
            }
            assertEquals(List.of(), problems, "a genuine guest was refused");
            int[] heap = peakHeap(gcLog);
            System.out.printf("fleet: %d concurrent guests, %d images, one broker (%s): all released in %d ms "
                    + "(%.0f releases/s), %d exchanges in all (%d retried after 503/busy); broker heap: peak %d MiB "
                    + "before GC, live set at most %d MiB after GC, heap size at most %d MiB%n", GUESTS, IMAGES, BROKER_HEAP,
                    millis, GUESTS * 1000.0 / millis, attempts, attempts - GUESTS, heap[0], heap[1], heap[2]);
            assertTrue(heap[2] <= 128, "heap grew past -Xmx");
        }
        try (var root = f.openRootKey(); ImageStore store = ImageStores.open(f.storeSpec(), root)) {
            var v = assertInstanceOf(AuditVerification.Intact.class, store.audit().verify());
            assertTrue(v.verifiedRecords() >= GUESTS, () -> "records: " + v.verifiedRecords());
            assertTrue(store.audit().tail(GUESTS).stream().allMatch(r -> r.event().verdict() == Verdict.RELEASED));
        }
    }

    /** {max before-GC MiB, max after-GC MiB, max heap size MiB} from {@code -Xlog:gc} lines. */
    private static int[] peakHeap(Path gcLog) throws Exception {
        int[] peak = new int[3];
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC_LINE.matcher(line);
            if (m.find()) {
                for (int i = 0; i < 3; i++) {
                    peak[i] = Math.max(peak[i], Integer.parseInt(m.group(i + 1)));
                }
            }
        }
        return peak;
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void twoBrokersSharingOnePostgresStore_eachServesPartOfAFleet_andFinishesTheOthersExchange() throws Exception {
        try (PostgresCluster db = PostgresCluster.start()) {
            twoBrokers(new BrokerFixture(dir, IMAGES, db.newDatabase()));
        }
    }

    private void twoBrokers(BrokerFixture f) throws Exception {
        try (var a = f.startChild(List.of("-Xmx128m"), dir.resolve("a.log"), "--max-connections-per-source", "512");
                var b = f.startChild(List.of("-Xmx128m"), dir.resolve("b.log"), "--max-connections-per-source", "512")) {
            Map<Integer, byte[]> received = new ConcurrentHashMap<>();
            List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
            var outcomes = fleet(f, List.of(a.address(), b.address()), 40, received, problems);
            for (int i = 0; i < outcomes.size(); i++) {
                assertInstanceOf(PullOutcome.Unlocked.class, outcomes.get(i).getValue(), "guest " + i);
                assertArrayEquals(f.keys.get(outcomes.get(i).getKey()), received.get(i));
            }
            assertEquals(List.of(), problems);

            // the nonce from broker A, the evidence and release at broker B
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            var challenge = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.address().getPort()
                    + Broker.CHALLENGE_PATH)).POST(HttpRequest.BodyPublishers.ofString("{\"imageId\":\"fleet-03\"}")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, challenge.statusCode());
            byte[] nonce = ((EvidenceRequest) MessageJson.decode(challenge.body(), Expect.GUEST_AWAITING_REQUEST)).nonce();
            ECKey key = EphemeralKeys.generate();
            RawEvidence raw = f.guest.provider().collect(ChallengeBinding.challenge(nonce, key.toPublicJWK()));
            Evidence evidence = new Evidence(raw.token(), raw.eventLog(), raw.certificateChain(), key.toPublicJWK(),
                    "simulated");
            var release = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.address().getPort()
                    + Broker.RELEASE_PATH)).header(Broker.IMAGE_ID_HEADER, "fleet-03")
                    .header(Broker.NONCE_HEADER, Base64.getUrlEncoder().withoutPadding().encodeToString(nonce))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(MessageJson.encode(evidence))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, release.statusCode(), () -> new String(release.body()));
            String jws = ((Release) MessageJson.decode(release.body(), Expect.GUEST_AWAITING_VERDICT)).jws();
            try (SecretBytes opened = ReleaseOpener.open(jws, PinnedVerifierKey.read(f.guest.pinned), key, nonce,
                    Clock.systemUTC())) {
                assertArrayEquals(f.keys.get("fleet-03"), opened.copy());
            }
            System.out.println("two brokers (" + f.storeSpec() + ", one nonce key): 40 guests split between them "
                    + "released; a nonce issued by " + a.address() + " completed at " + b.address());
        }
        try (var root = f.openRootKey(); ImageStore store = ImageStores.open(f.storeSpec(), root)) {
            assertInstanceOf(AuditVerification.Intact.class, store.audit().verify(), "two writers kept one chain");
        }
    }
}
