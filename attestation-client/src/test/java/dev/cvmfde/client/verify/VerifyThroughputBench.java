package dev.cvmfde.client.verify;

import dev.cvmfde.client.verify.internal.VerifiedPlatformTokens;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;

/**
 * Verifications per second of a full ES384 chain (decode, platform + realm ES384 signatures,
 * binding, freshness, RIM, policy; no event log or baseline: run with --insecure-no-event-log and
 * --insecure-no-baseline, which the verifier would otherwise refuse) on N threads. Not a unit test: run by
 * {@code bench/verify-throughput}. Prints {@code ours=<verifications/s>} and what was measured.
 *
 * <p>What one realm produces: a pool of {@code pool} distinct tokens, each with its own fresh
 * 64-byte challenge (so its own realm payload and realm signature), all sharing one platform
 * token byte for byte (same CPAK, same RAK, platform challenge H(RAK)). Each appraisal gets the
 * token's own expected challenge. The pool is cycled in order and is larger than
 * {@link VerifiedPlatformTokens#MAX_ENTRIES}, so a least-recently-used memory of realm tokens of
 * that size could never hit: every appraisal does the realm ECDSA verify. With the verifier's
 * platform-token memory, the platform verify is done once per realm and then remembered.
 * Before timing, the bench checks that a realm token with one signature byte flipped is refused
 * at realm-signature right after its original was affirmed.
 *
 * <p>Mode {@code distinct-platform} (for comparison): every token also has its own platform token
 * (same claims, a new ECDSA signature, so different bytes); cycling 2048 of them through the
 * 1024-entry memory never hits, so each appraisal does both P-384 verifies (many realms, each
 * attesting once).
 * Args: [threads=2] [seconds=10] [warmupSeconds=5] [pool=2048] [mode=shared-platform|distinct-platform].
 */
public final class VerifyThroughputBench {
    private VerifyThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int pool = args.length > 3 ? Integer.parseInt(args[3]) : 2 * VerifiedPlatformTokens.MAX_ENTRIES;
        if (pool <= VerifiedPlatformTokens.MAX_ENTRIES) {
            throw new IllegalArgumentException("pool must exceed " + VerifiedPlatformTokens.MAX_ENTRIES);
        }
        boolean shared = switch (args.length > 4 ? args[4] : "shared-platform") {
            case "shared-platform" -> true;
            case "distinct-platform" -> false;
            default -> throw new IllegalArgumentException("mode: shared-platform or distinct-platform");
        };
        List<EvidenceInput> inputs = tokens(pool, shared);
        sanity(inputs.getFirst());
        run(inputs, threads, warmup);
        double[] rates = run(inputs, threads, seconds);
        double perSecond = rates[0];
        System.out.printf(shared
                ? "ours=%.0f verifications/s (%d threads, %d s; %d distinct realm tokens with fresh challenges sharing one "
                        + "platform token, platform-token memory on: 1 ECDSA P-384 verify per token)%n"
                : "ours=%.0f verifications/s (%d threads, %d s; %d distinct realm tokens, each with its own platform token: "
                        + "the memory never hits, 2 ECDSA P-384 verifies per token)%n",
                perSecond, threads, seconds, pool);
        System.out.printf("per-cpu-second=%.0f verifications per second of the worker threads' own CPU time "
                + "(what one unshared core would do; openssl speed also divides by CPU time)%n", rates[1]);
    }

    /** {@code n} distinct tokens of one realm, each with the input that expects its own challenge. */
    private static List<EvidenceInput> tokens(int n, boolean sharedPlatform) {
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        byte[] platformDonor = s.token();
        TrustAnchor anchor = s.anchor();
        long t0 = System.nanoTime();
        int chunks = Math.max(1, Runtime.getRuntime().availableProcessors());
        List<EvidenceInput> inputs = IntStream.range(0, chunks).parallel().mapToObj(c -> {
            TestEvidence.Scenario one = new TestEvidence.Scenario();
            one.cpak = s.cpak;
            one.rak = s.rak;
            one.realmSigner = s.rak;
            one.rim = s.rim;
            List<EvidenceInput> part = new ArrayList<>();
            for (int i = c; i < n; i += chunks) {
                one.challenge = TestEvidence.random(64);
                byte[] token = sharedPlatform ? TestEvidence.withPlatformOf(platformDonor, one.token()) : one.token();
                // the token's own checks (signatures, binding, freshness, RIM): no log or baseline, said so
                part.add(EvidenceInput.builder(token, anchor).expectedChallenge(one.challenge).referenceRim(one.rim)
                        .insecure(Insecure.NO_BASELINE, Insecure.NO_EVENT_LOG).build());
            }
            return part;
        }).flatMap(List::stream).toList();
        long distinct = inputs.stream().map(in -> Arrays.hashCode(in.token())).distinct().count();
        if (distinct != n) {
            throw new IllegalStateException("tokens are not distinct");
        }
        System.err.printf("verify-throughput: %d tokens made in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
        return new ArrayList<>(inputs);
    }

    /** The first token is affirmed; the same token with its realm signature's last byte flipped is refused there. */
    private static void sanity(EvidenceInput good) throws VerifierException {
        Appraisal a = Verifier.appraise(good);
        if (!(a instanceof Affirming)) {
            throw new IllegalStateException("bench token does not verify:\n" + VerdictTable.render(a));
        }
        byte[] bad = good.token();
        bad[bad.length - 1] ^= 1; // the realm token is the last entry; its signature is its last field
        Appraisal b = Verifier.appraise(EvidenceInput.builder(bad, good.trustAnchor())
                .expectedChallenge(((Affirming) a).realmChallenge()).referenceRim(good.referenceRim().orElseThrow())
                .insecure(good.insecure()).build());
        if (!(b instanceof Refused r) || r.firstFailedStage() != Stage.REALM_SIGNATURE) {
            throw new IllegalStateException("a flipped realm signature byte was not refused at realm-signature:\n"
                    + VerdictTable.render(b));
        }
    }

    /** {verifications per wall second, verifications per second of the workers' CPU time}. */
    private static double[] run(List<EvidenceInput> inputs, int threads, int seconds) throws InterruptedException {
        LongAdder done = new LongAdder();
        LongAdder cpuNanos = new LongAdder();
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        AtomicLong next = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            ts[i] = Thread.ofPlatform().start(() -> {
                long c0 = mx.getCurrentThreadCpuTime();
                try {
                    while (!stop.get()) {
                        EvidenceInput in = inputs.get((int) (next.getAndIncrement() % inputs.size()));
                        if (!(Verifier.appraise(in) instanceof Affirming)) {
                            throw new IllegalStateException("refused during bench");
                        }
                        done.increment();
                    }
                } catch (VerifierException | RuntimeException e) {
                    errors.add(e);
                } finally {
                    cpuNanos.add(mx.getCurrentThreadCpuTime() - c0);
                }
            });
        }
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : ts) {
            t.join();
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("bench failed", errors.getFirst());
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        return new double[] {done.sum() / wall, done.sum() / (cpuNanos.sum() / 1e9)};
    }
}
