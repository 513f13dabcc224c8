package dev.cvmfde.refvalues;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/**
 * The hash algorithms this module knows, with their TPM algorithm ids (TCG Algorithm Registry),
 * JCA names, digest sizes, TPM bank names and, where hash.json allows them, hash.json names.
 */
public enum DigestAlgorithm {
    SHA1(0x0004, "SHA-1", 20, "sha1", null),
    SHA256(0x000B, "SHA-256", 32, "sha256", "sha-256"),
    SHA384(0x000C, "SHA-384", 48, "sha384", null),
    SHA512(0x000D, "SHA-512", 64, "sha512", "sha-512");

    private final int tpmAlgId;
    private final String jcaName;
    private final int size;
    private final String bankName;
    private final String hashJsonName;

    DigestAlgorithm(int tpmAlgId, String jcaName, int size, String bankName, String hashJsonName) {
        this.tpmAlgId = tpmAlgId;
        this.jcaName = jcaName;
        this.size = size;
        this.bankName = bankName;
        this.hashJsonName = hashJsonName;
    }

    public int tpmAlgId() {
        return tpmAlgId;
    }

    public int size() {
        return size;
    }

    /** TPM bank name as tpm2-tools prints it: {@code sha1}, {@code sha256}, … */
    public String bankName() {
        return bankName;
    }

    /** The hash.json {@code hash_alg} value, present only for sha-256 and sha-512. */
    public Optional<String> hashJsonName() {
        return Optional.ofNullable(hashJsonName);
    }

    public MessageDigest newMessageDigest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + jcaName, e);
        }
    }

    public static Optional<DigestAlgorithm> fromTpmAlgId(int id) {
        for (DigestAlgorithm a : values()) {
            if (a.tpmAlgId == id) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** Accepts bank names ({@code sha256}) and hash.json names ({@code sha-256}), any case. */
    public static Optional<DigestAlgorithm> fromName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (DigestAlgorithm a : values()) {
            if (a.bankName.equals(n) || n.equals(a.hashJsonName)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    public static Optional<DigestAlgorithm> fromHashJsonName(String name) {
        for (DigestAlgorithm a : values()) {
            if (name.equals(a.hashJsonName)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
