package dev.cvmfde.refvalues.eventlog;

import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/** One digest of an event: the TPM algorithm id and the bytes (any declared algorithm, known or not). */
public record EventDigest(int algId, byte[] value) {
    public EventDigest {
        value = value.clone();
    }

    public static EventDigest of(Digest d) {
        return new EventDigest(d.algorithm().tpmAlgId(), d.value());
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** As a {@link Digest} when the algorithm is one this module knows. */
    public Optional<Digest> digest() {
        return DigestAlgorithm.fromTpmAlgId(algId).filter(a -> a.size() == value.length)
                .map(a -> new Digest(a, value));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventDigest d && d.algId == algId && Arrays.equals(d.value, value);
    }

    @Override
    public int hashCode() {
        return algId * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "0x" + Integer.toHexString(algId) + ":" + HexFormat.of().formatHex(value);
    }
}
