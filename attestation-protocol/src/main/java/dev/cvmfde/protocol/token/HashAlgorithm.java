package dev.cvmfde.protocol.token;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Hash algorithms named in CCA claims by their IANA "Named Information" names. */
public enum HashAlgorithm {
    SHA_256("sha-256", "SHA-256", 32),
    SHA_384("sha-384", "SHA-384", 48),
    SHA_512("sha-512", "SHA-512", 64);

    private final String claimName;
    private final String jcaName;
    private final int digestBytes;

    HashAlgorithm(String claimName, String jcaName, int digestBytes) {
        this.claimName = claimName;
        this.jcaName = jcaName;
        this.digestBytes = digestBytes;
    }

    /** The name as it appears in a token, e.g. {@code "sha-256"}. */
    public String claimName() {
        return claimName;
    }

    /** Digest length in bytes. */
    public int digestBytes() {
        return digestBytes;
    }

    /** Hashes {@code data} (the input is not modified). */
    public byte[] digest(byte[] data) {
        try {
            return MessageDigest.getInstance(jcaName).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks " + jcaName, e);
        }
    }
}
