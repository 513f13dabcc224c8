package dev.cvmfde.imagebuilder.luks;

/** Hashes LUKS uses for PBKDF2, the anti-forensic splitter and the volume-key digest. */
public enum HashAlgorithm {
    SHA256("sha256", "SHA-256", "HmacSHA256", 32),
    SHA512("sha512", "SHA-512", "HmacSHA512", 64);

    private final String luksName;
    private final String jcaDigest;
    private final String jcaHmac;
    private final int length;

    HashAlgorithm(String luksName, String jcaDigest, String jcaHmac, int length) {
        this.luksName = luksName;
        this.jcaDigest = jcaDigest;
        this.jcaHmac = jcaHmac;
        this.length = length;
    }

    /** The name in LUKS metadata and cryptsetup options ({@code sha256}). */
    public String luksName() {
        return luksName;
    }

    public String jcaDigest() {
        return jcaDigest;
    }

    public String jcaHmac() {
        return jcaHmac;
    }

    /** Output length in bytes. */
    public int length() {
        return length;
    }
}
