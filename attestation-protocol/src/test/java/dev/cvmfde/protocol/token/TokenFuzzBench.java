package dev.cvmfde.protocol.token;

import com.upokecenter.cbor.CBORObject;

/**
 * Driver for {@code bench/token-fuzz} (not a unit test): decodes many seeded mutations with
 * {@link CcaTokenDecoder} and, on the same inputs, with a raw {@code CBORObject.DecodeFromBytes}
 * (the peer), and fails on any exception other than {@link TokenDecodeException}. Ends with
 * the ratio line: ratio = our inputs/s ÷ raw parse inputs/s.
 */
public final class TokenFuzzBench {

    private static final int BATCH = 20_000;

    private TokenFuzzBench() {
    }

    public static void main(String[] args) throws Exception {
        long total = args.length > 0 ? Long.parseLong(args[0]) : 5_000_000L;
        long seed = args.length > 1 ? TokenMutator.parseSeed(args[1]) : 0x5eedbe7cL;
        System.out.printf("seed=0x%x (bench/token-fuzz %d 0x%x replays this run)%n", seed, total, seed);
        TokenMutator mutator = TokenMutator.fromSeed(seed);
        long oursNanos = 0, peerNanos = 0, done = 0, decoded = 0, sink = 0;
        byte[][] batch = new byte[BATCH][];
        while (done < total) {
            int n = (int) Math.min(BATCH, total - done);
            for (int i = 0; i < n; i++) {
                batch[i] = mutator.next();
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                try {
                    CcaTokenDecoder.decode(batch[i]);
                    decoded++;
                } catch (TokenDecodeException e) {
                    sink += e.failure().ordinal();
                } catch (RuntimeException | Error e) {
                    System.err.printf("untyped failure on input %d of seed 0x%x: %s%n", done + i, seed, e);
                    System.exit(1);
                }
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                try {
                    sink += CBORObject.DecodeFromBytes(batch[i]).size();
                } catch (RuntimeException e) {
                    sink++;
                }
            }
            long t2 = System.nanoTime();
            oursNanos += t1 - t0;
            peerNanos += t2 - t1;
            done += n;
            if (done % 1_000_000 < n) {
                System.out.printf("%,d inputs, %,d decoded%n", done, decoded);
            }
        }
        double ours = done / (oursNanos / 1e9), peer = done / (peerNanos / 1e9);
        System.out.printf("inputs=%d decoded=%d untyped_failures=0 (sink %d)%n", done, decoded, sink);
        System.out.printf("ratio=%.3f ours=%.0f peer=%.0f unit=inputs/s%n", ours / peer, ours, peer);
    }
}
