package dev.cvmfde.refvalues.eventlog;

import dev.cvmfde.refvalues.DigestAlgorithm;
import java.util.Arrays;
import java.util.List;

/**
 * The TCG_EfiSpecIDEvent ("Spec ID Event03") carried by the first, SHA-1 format event of a
 * crypto-agile log: it declares the banks (algorithm ids and digest sizes) every later event uses.
 */
public record SpecIdEvent(int platformClass, int specVersionMinor, int specVersionMajor, int specErrata,
        int uintnSize, List<AlgorithmSize> algorithms, byte[] vendorInfo) {
    /** The Spec ID event declares at most this many algorithms. */
    public static final int MAX_ALGORITHMS = 16;

    public SpecIdEvent {
        algorithms = List.copyOf(algorithms);
        if (algorithms.isEmpty() || algorithms.size() > MAX_ALGORITHMS) {
            throw new IllegalArgumentException("1 to " + MAX_ALGORITHMS + " algorithms; got " + algorithms.size());
        }
        if (vendorInfo.length > 255) {
            throw new IllegalArgumentException("vendor info is at most 255 bytes; got " + vendorInfo.length);
        }
        vendorInfo = vendorInfo.clone();
    }

    /** A PC Client spec 2.0 header (errata 0, 64-bit UINTN) declaring the given banks. */
    public static SpecIdEvent of(List<DigestAlgorithm> banks) {
        return new SpecIdEvent(0, 0, 2, 0, 2, banks.stream().map(AlgorithmSize::of).toList(), new byte[0]);
    }

    @Override
    public byte[] vendorInfo() {
        return vendorInfo.clone();
    }

    /** The digest size declared for {@code algId}, or -1. */
    public int digestSize(int algId) {
        for (AlgorithmSize a : algorithms) {
            if (a.algId() == algId) {
                return a.digestSize();
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpecIdEvent s && s.platformClass == platformClass && s.specVersionMinor == specVersionMinor
                && s.specVersionMajor == specVersionMajor && s.specErrata == specErrata && s.uintnSize == uintnSize
                && s.algorithms.equals(algorithms) && Arrays.equals(s.vendorInfo, vendorInfo);
    }

    @Override
    public int hashCode() {
        return algorithms.hashCode() * 31 + Arrays.hashCode(vendorInfo);
    }
}
