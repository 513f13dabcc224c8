package dev.cvmfde.protocol.token;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fuzz corpus is reproducible from its seed: a failure it finds can be replayed. */
class TokenMutatorTest {
    static final long SEED = 0x5eedcca0L;
    /** Enough inputs to pass through every mutation kind many times. */
    static final int INPUTS = 3_000;
    /** The first seed tokens are published vectors; the rest are generated from the seed. */
    static final int VECTORS = 8;

    @Test
    void fromSeed_sameSeedTwice_sameCorpusInputsAndResults() throws Exception {
        TokenMutator first = TokenMutator.fromSeed(SEED);
        TokenMutator second = TokenMutator.fromSeed(SEED);
        List<byte[]> a = first.seeds();
        List<byte[]> b = second.seeds();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), "seed token #" + i + " (keys and signatures must follow the seed)");
        }
        List<String> results = new ArrayList<>();
        for (int i = 0; i < INPUTS; i++) {
            byte[] x = first.next();
            byte[] y = second.next();
            assertArrayEquals(x, y, "input #" + i);
            results.add(outcome(x));
        }
        TokenMutator third = TokenMutator.fromSeed(SEED);
        for (int i = 0; i < INPUTS; i++) {
            assertEquals(results.get(i), outcome(third.next()), "decoding input #" + i);
        }
    }

    @Test
    void fromSeed_otherSeed_otherKeysAndInputs() throws Exception {
        List<byte[]> a = TokenMutator.fromSeed(SEED).seeds();
        List<byte[]> b = TokenMutator.fromSeed(SEED + 1).seeds();
        for (int i = 0; i < VECTORS; i++) {
            assertArrayEquals(a.get(i), b.get(i), "published vector #" + i);
        }
        for (int i = VECTORS; i < a.size(); i++) {
            assertFalse(Arrays.equals(a.get(i), b.get(i)), "generated seed token #" + i + " ignores the seed");
        }
    }

    @Test
    void parseSeed_printedForm_roundTrips() {
        for (long seed : new long[] {0, SEED, -1, Long.MIN_VALUE}) {
            assertEquals(seed, TokenMutator.parseSeed(String.format("0x%x", seed)));
        }
        assertEquals(42, TokenMutator.parseSeed("42"));
    }

    private static String outcome(byte[] input) {
        try {
            return "decoded " + CcaTokenDecoder.decode(input).form();
        } catch (TokenDecodeException e) {
            return e.failure() + ": " + e.getMessage();
        }
    }
}
