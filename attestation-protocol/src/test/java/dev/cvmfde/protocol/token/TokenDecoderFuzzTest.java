package dev.cvmfde.protocol.token;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded mutation test over {@link CcaTokenDecoder}: no exception but {@link TokenDecodeException}
 * escapes, and no input makes one decode allocate more than {@link #ALLOCATION_BOUND_BYTES}, and no input
 * array is modified.
 */
class TokenDecoderFuzzTest {

    static final int INPUTS = 100_000;
    /** Every input (and the seed tokens' keys and signatures) follows from this; {@code -Dtoken.fuzz.seed=...} replays another. */
    static final long SEED = TokenMutator.parseSeed(System.getProperty("token.fuzz.seed", "0x5eedcca0"));
    /** Most bytes one decode of a token of at most a few KiB may allocate (measured: well under this). */
    static final long ALLOCATION_BOUND_BYTES = 4L * 1024 * 1024;
    /** Error messages echo at most a short piece of the input. */
    static final int MAX_MESSAGE_CHARS = 400;

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void decode_100kMutatedTokens_onlyTypedErrorsAndBoundedAllocation() throws Exception {
        System.out.printf("fuzz: seed 0x%x%n", SEED);
        TokenMutator mutator = TokenMutator.fromSeed(SEED);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        Map<TokenDecodeException.Failure, Integer> failures = new EnumMap<>(TokenDecodeException.Failure.class);
        int decoded = 0;
        long maxAlloc = 0;
        for (int i = 0; i < INPUTS; i++) {
            byte[] input = mutator.next();
            byte[] copy = input.clone();
            long before = mx.getThreadAllocatedBytes(tid);
            try {
                CcaTokenDecoder.decode(input);
                decoded++;
            } catch (TokenDecodeException e) {
                failures.merge(e.failure(), 1, Integer::sum);
                if (e.getMessage().length() > MAX_MESSAGE_CHARS) {
                    fail(at(i) + " gave a " + e.getMessage().length() + "-character error message");
                }
            } catch (Throwable t) {
                fail(at(i) + " (" + HexFormat.of().formatHex(input) + ") threw " + t, t);
            }
            long alloc = mx.getThreadAllocatedBytes(tid) - before;
            if (!java.util.Arrays.equals(copy, input)) {
                fail(at(i) + " was modified by the decoder");
            }
            maxAlloc = Math.max(maxAlloc, alloc);
            if (alloc > ALLOCATION_BOUND_BYTES) {
                fail(at(i) + " (" + input.length + " B) made the decoder allocate " + alloc + " bytes");
            }
        }
        System.out.printf("fuzz: seed 0x%x, %d inputs, %d decoded, failures %s, max allocation %d B%n",
                SEED, INPUTS, decoded, failures, maxAlloc);
        assertTrue(decoded > 0 && failures.size() >= 5, "mutations reach both outcomes and many checks: " + failures);
    }

    /** Names the input so that it can be replayed: {@code -Dtoken.fuzz.seed=<seed>}, input number. */
    private static String at(int i) {
        return String.format("input #%d of seed 0x%x", i, SEED);
    }
}
