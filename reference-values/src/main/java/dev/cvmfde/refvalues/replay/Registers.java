package dev.cvmfde.refvalues.replay;

import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Replayed register values in one bank: REM[0..3] of a CCEL log or PCR[0..23] of a TPM log.
 * {@link #extended()} lists the registers at least one event extended.
 */
public record Registers(DigestAlgorithm algorithm, List<Digest> values, Set<Integer> extended) {
    public Registers {
        values = List.copyOf(values);
        extended = java.util.Collections.unmodifiableSet(new TreeSet<>(extended));
        for (Digest d : values) {
            if (d.algorithm() != algorithm) {
                throw new IllegalArgumentException("register values must all be " + algorithm.bankName());
            }
        }
    }

    public Digest get(int index) {
        return values.get(index);
    }

    public int size() {
        return values.size();
    }
}
