package dev.cvmfde.refvalues;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A digest value with its algorithm. The length is checked at construction; equality is
 * constant-time over the bytes; {@link #hex()} is lowercase.
 */
public record Digest(DigestAlgorithm algorithm, byte[] value) {
    private static final HexFormat HEX = HexFormat.of();

    public Digest {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(value, "value");
        if (value.length != algorithm.size()) {
            throw new IllegalArgumentException(
                    algorithm.bankName() + " digest must be " + algorithm.size() + " bytes; got " + value.length);
        }
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    public String hex() {
        return HEX.formatHex(value);
    }

    /** Parses lowercase hex of exactly the algorithm's size; anything else is an IllegalArgumentException. */
    public static Digest ofHex(DigestAlgorithm algorithm, String hex) {
        if (hex.length() != algorithm.size() * 2) {
            throw new IllegalArgumentException("expected " + algorithm.size() * 2 + " hex characters for "
                    + algorithm.bankName() + "; got " + hex.length());
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw new IllegalArgumentException("expected lowercase hex; character " + i + " is '" + c + "'");
            }
        }
        return new Digest(algorithm, HEX.parseHex(hex));
    }

    /** The digest of {@code data} under {@code algorithm}. */
    public static Digest of(DigestAlgorithm algorithm, byte[] data) {
        return new Digest(algorithm, algorithm.newMessageDigest().digest(data));
    }

    /** The all-zero value of this algorithm's size (the initial register value). */
    public static Digest zero(DigestAlgorithm algorithm) {
        return new Digest(algorithm, new byte[algorithm.size()]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Digest d && d.algorithm == algorithm && MessageDigest.isEqual(d.value, value);
    }

    @Override
    public int hashCode() {
        return algorithm.hashCode() * 31 + java.util.Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return algorithm.bankName() + ":" + hex();
    }
}
