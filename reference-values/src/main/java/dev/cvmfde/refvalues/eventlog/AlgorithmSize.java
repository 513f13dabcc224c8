package dev.cvmfde.refvalues.eventlog;

import dev.cvmfde.refvalues.DigestAlgorithm;
import java.util.Optional;

/** One entry of the Spec ID event's algorithm list: a TPM algorithm id and its digest size. */
public record AlgorithmSize(int algId, int digestSize) {
    public AlgorithmSize {
        if (algId < 0 || algId > 0xFFFF || digestSize < 1 || digestSize > 0xFFFF) {
            throw new IllegalArgumentException("algorithm 0x" + Integer.toHexString(algId) + " size " + digestSize);
        }
    }

    public static AlgorithmSize of(DigestAlgorithm alg) {
        return new AlgorithmSize(alg.tpmAlgId(), alg.size());
    }

    /** True when {@code algId} is a known algorithm declared with a size that is not its own. */
    static boolean ofKnownMismatch(int algId, int digestSize) {
        return DigestAlgorithm.fromTpmAlgId(algId).filter(a -> a.size() != digestSize).isPresent();
    }

    public Optional<DigestAlgorithm> algorithm() {
        return DigestAlgorithm.fromTpmAlgId(algId);
    }
}
