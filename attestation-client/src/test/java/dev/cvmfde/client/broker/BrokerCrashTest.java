package dev.cvmfde.client.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cvmfde.client.release.CliRun;
import dev.cvmfde.client.store.AuditRecord;
import dev.cvmfde.client.store.ImageStore;
import dev.cvmfde.client.store.ImageStores;
import dev.cvmfde.client.store.PostgresCluster;
import dev.cvmfde.client.store.Verdict;
import dev.cvmfde.server.UnlockOutcome;
import dev.cvmfde.server.provider.simulated.SimulatedIdentity;
import dev.cvmfde.server.provider.simulated.SimulatedProvider;
import dev.cvmfde.server.pull.PullClient;
import dev.cvmfde.server.pull.PullOutcome;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker ({@code serve} in its own JVM, over a directory or a PostgreSQL store) killed with
 * SIGKILL in the middle of a burst of simulated pull-mode guests, each fetching its image's key
 * again and again: the moment the {@link #ACKS_BEFORE_KILL}th key reaches a guest (from inside
 * that guest's key sink) the broker is killed, with many exchanges still open. Whenever a guest
 * holds a key, its image's {@code released} records in the trail as stored must already number at
 * least the keys its guests hold (a key never leaves before its record is written). After the
 * kill, {@code audit verify} (the CLI) on the trail as left must pass, still holding every record
 * of a received key, and a restarted broker must chain on.
 *
 * <p>What a process kill can show: the order "record written, then key sent", an unbroken chain
 * and no torn record except an unacknowledged last line. It cannot show a missing fsync (the
 * page cache outlives the process); that needs a machine crash.
 */
class BrokerCrashTest {
    static final int IMAGES = 16;
    static final int GUESTS_PER_IMAGE = 4;
    /** Keys received by guests when the kill is sent: the kill waits for them, never for a clock. */
    static final int ACKS_BEFORE_KILL = 150;
    private static final Pattern VERIFIED = Pattern.compile("(?m)^(?:intact|intact before it): (\\d+) record\\(s\\) chain");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void serve_killedWithSigkillMidBurst_auditVerifyPassesAndHoldsEveryReceivedKey() throws Exception {
        long started = System.nanoTime();
        killMidBurstThenVerify(new BrokerFixture(dir, IMAGES), true);
        System.out.printf("broker crash (directory store): %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void serveOnPostgres_killedWithSigkillMidBurst_auditVerifyIntactAndHoldsEveryReceivedKey() throws Exception {
        long started = System.nanoTime();
        try (PostgresCluster db = PostgresCluster.start()) {
            // a row is written in the release's transaction: a kill rolls back, so never a torn tail
            killMidBurstThenVerify(new BrokerFixture(dir, IMAGES, db.newDatabase()), false);
        }
        System.out.printf("broker crash (PostgreSQL store): %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    private void killMidBurstThenVerify(BrokerFixture f, boolean tornTailAllowed) throws Exception {
        List<String> ids = new ArrayList<>(f.keys.keySet());
        Map<String, AtomicInteger> keysReceived = new ConcurrentHashMap<>();
        ids.forEach(id -> keysReceived.put(id, new AtomicInteger()));
        AtomicInteger acks = new AtomicInteger();
        CountDownLatch killSent = new CountDownLatch(1);
        AtomicBoolean killed = new AtomicBoolean();
        List<String> problems = new CopyOnWriteArrayList<>();
        AtomicInteger cutExchanges = new AtomicInteger();
        byte[] eventLog = Files.readAllBytes(f.guest.eventLog);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());

        // one appraisal thread: the broker, not the guests sharing its 2 cores, is the bottleneck, so
        // exchanges queue up at it and many are open when it dies
        var broker = f.startChild(List.of("-Xmx256m"), dir.resolve("broker.log"), "--max-connections-per-source", "512",
                "--appraisal-threads", "1");
        try (ImageStore reader = ImageStores.open(f.storeSpec()); var guests = Executors.newVirtualThreadPerTaskExecutor()) {
            try {
                for (int g = 0; g < IMAGES * GUESTS_PER_IMAGE; g++) {
                    String image = ids.get(g % ids.size());
                    byte[] expected = f.keys.get(image);
                    var provider = new SimulatedProvider(SimulatedIdentity.load(f.guest.identityDir), Optional.of(eventLog), quiet);
                    var config = f.guestConfig(broker.address(), image, provider, key -> {
                        if (!Arrays.equals(expected, key.copy())) {
                            problems.add("a guest of " + image + " got another image's key");
                        }
                        // the trail as a kill would leave it, looked at while this guest holds the key
                        int held = keysReceived.get(image).incrementAndGet();
                        long recorded = releasedRecords(reader, image);
                        if (recorded < held) {
                            problems.add(image + ": its guests hold " + held + " keys but the trail has " + recorded
                                    + " released records: a key left before its record was written");
                        }
                        if (acks.incrementAndGet() == ACKS_BEFORE_KILL) {
                            // SIGKILL while this guest holds its key: no shutdown hook, no flush, every broker
                            // thread stopped wherever it is, many exchanges open. ProcessHandle's destroyForcibly
                            // sends the signal without closing our end of the broker's output (its log).
                            killed.set(true);
                            broker.process().toHandle().destroyForcibly();
                            killSent.countDown();
                        }
                        return UnlockOutcome.unlocked("crash test");
                    }).withBackoff(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofMinutes(3));
                    guests.submit(() -> {
                        while (!killed.get()) {
                            PullOutcome o = new PullClient(config, line -> {
                                if (!killed.get() && (line.contains("REFUSED") || line.contains("release refused"))) {
                                    problems.add(image + ": " + line);
                                }
                            }).fetch(killed::get);
                            if (o instanceof PullOutcome.GaveUp gaveUp) {
                                if (!killed.get()) {
                                    problems.add(image + ": gave up before the kill: " + gaveUp.lastProblem());
                                } else if (!gaveUp.lastProblem().contains("Connection refused")) {
                                    // not a connect after the kill: the exchange was open when the broker died
                                    cutExchanges.incrementAndGet();
                                }
                            }
                        }
                        return null;
                    });
                }
                if (!killSent.await(3, TimeUnit.MINUTES)) {
                    fail("only " + acks.get() + " keys reached guests in 3 minutes; problems: " + problems + "\nbroker log:\n"
                            + Files.readString(dir.resolve("broker.log")));
                }
                assertTrue(broker.process().waitFor(60, TimeUnit.SECONDS), "the broker did not die");
            } finally {
                // the guests stop (their executor's close waits for them) only once this is set
                killed.set(true);
                broker.close();
            }
        }
        assertEquals(137, broker.process().exitValue(), "the broker was killed by SIGKILL");
        assertEquals(List.of(), problems, "every genuine guest got its own key, recorded before it arrived");

        CliRun verify = CliRun.of("audit", "verify", "--store", f.storeSpec());
        assertEquals(0, verify.exit(), () -> "audit verify on the trail the killed broker left: " + verify);
        assertTrue(verify.out().startsWith("intact: ") || tornTailAllowed && verify.out().startsWith("torn-tail: "),
                verify::toString);
        Matcher m = VERIFIED.matcher(verify.out());
        assertTrue(m.find(), verify::toString);
        int records = Integer.parseInt(m.group(1));

        int received = 0;
        try (ImageStore store = ImageStores.open(f.storeSpec())) {
            List<AuditRecord> trail = store.audit().tail(records + 1);
            assertEquals(records, trail.size(), "a torn last line is not a record");
            for (AuditRecord r : trail) {
                assertEquals(Verdict.RELEASED, r.event().verdict(), () -> "a genuine guest was refused: " + r);
            }
            for (String id : ids) {
                int keys = keysReceived.get(id).get();
                received += keys;
                long recorded = releasedRecords(store, id);
                assertTrue(recorded >= keys, id + ": guests received " + keys + " keys but the trail left by the kill "
                        + "holds " + recorded + " released records");
            }
        }
        assertTrue(received >= ACKS_BEFORE_KILL);
        assertTrue(cutExchanges.get() > 0, "no exchange was open when the broker was killed");
        System.out.printf("broker killed (SIGKILL) after %d keys reached guests (%d by the end, %d exchanges cut open); "
                + "audit verify: %s; %d released records (%d whose key never arrived)%n", ACKS_BEFORE_KILL, received,
                cutExchanges.get(), verify.out().lines().findFirst().orElse(""), records, records - received);

        // a new broker on the trail as left chains on (a torn last line is cut by its first append)
        try (var again = f.startChild(List.of("-Xmx256m"), dir.resolve("broker-2.log"))) {
            var config = f.guestConfig(again.address(), ids.get(0), f.guest.provider(), key -> UnlockOutcome.unlocked("after"));
            assertInstanceOf(PullOutcome.Unlocked.class, new PullClient(config, line -> { }).fetch());
        }
        CliRun after = CliRun.of("audit", "verify", "--store", f.storeSpec());
        assertEquals(0, after.exit(), after::toString);
        assertTrue(after.out().startsWith("intact: " + (records + 1) + " record(s)"), after::toString);
    }

    /** {@code released} records of {@code image} in the trail as stored now (complete lines or committed rows). */
    private static long releasedRecords(ImageStore store, String image) throws Exception {
        return store.audit().tail(Integer.MAX_VALUE).stream()
                .filter(r -> r.event().verdict() == Verdict.RELEASED && r.event().imageId().equals(image)).count();
    }
}
