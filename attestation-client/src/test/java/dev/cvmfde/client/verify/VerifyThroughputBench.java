package dev.cvmfde.client.verify;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Verifications per second of a full ES384 chain (decode, platform + realm ES384 signatures,
 * binding, freshness, RIM, policy; no event log) on N threads. Not a unit test: run by
 * {@code bench/verify-throughput}. Prints {@code ours=<verifications/s>}.
 * Args: [threads=2] [seconds=10] [warmupSeconds=5].
 */
public final class VerifyThroughputBench {
    private VerifyThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        TestEvidence.Scenario s = new TestEvidence.Scenario();
        EvidenceInput input = EvidenceInput.builder(s.token(), s.anchor()).expectedChallenge(s.challenge)
                .referenceRim(s.rim).build();
        if (!(Verifier.appraise(input) instanceof Affirming)) {
            throw new IllegalStateException("bench token does not verify:\n" + VerdictTable.render(Verifier.appraise(input)));
        }
        run(input, threads, warmup);
        double perSecond = run(input, threads, seconds);
        System.out.printf("ours=%.0f verifications/s (%d threads, %d s, 2 ECDSA P-384 verifies each)%n", perSecond,
                threads, seconds);
    }

    private static double run(EvidenceInput input, int threads, int seconds) throws InterruptedException {
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            ts[i] = Thread.ofPlatform().start(() -> {
                try {
                    while (!stop.get()) {
                        if (!(Verifier.appraise(input) instanceof Affirming)) {
                            throw new IllegalStateException("refused during bench");
                        }
                        done.increment();
                    }
                } catch (VerifierException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : ts) {
            t.join();
        }
        return done.sum() / ((System.nanoTime() - t0) / 1e9);
    }
}
