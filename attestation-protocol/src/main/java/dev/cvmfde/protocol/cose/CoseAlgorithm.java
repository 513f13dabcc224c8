package dev.cvmfde.protocol.cose;

import java.util.Optional;

/**
 * The COSE signature algorithms a CCA or virtCCA token may carry (RFC 9053 identifiers).
 * ECDSA curves are fixed by the algorithm, as Arm CCA and virtCCA use them: ES256 on P-256,
 * ES384 on P-384, ES512 on P-521.
 */
public enum CoseAlgorithm {
    ES256(-7, "SHA256withECDSA", 32),
    ES384(-35, "SHA384withECDSA", 48),
    ES512(-36, "SHA512withECDSA", 66),
    PS256(-37, "RSASSA-PSS", 0);

    private final int coseId;
    private final String jcaName;
    private final int fieldBytes;

    CoseAlgorithm(int coseId, String jcaName, int fieldBytes) {
        this.coseId = coseId;
        this.jcaName = jcaName;
        this.fieldBytes = fieldBytes;
    }

    /** The COSE algorithm identifier carried in protected header label 1. */
    public int coseId() {
        return coseId;
    }

    /** The JCA signature algorithm name. */
    public String jcaName() {
        return jcaName;
    }

    /** True for the ECDSA algorithms. */
    public boolean isEcdsa() {
        return fieldBytes > 0;
    }

    /** Bytes of one ECDSA scalar (r or s) in the raw r‖s form; 0 for RSA. */
    public int fieldBytes() {
        return fieldBytes;
    }

    /** The algorithm with this COSE identifier, if it is one we accept. */
    public static Optional<CoseAlgorithm> fromCoseId(long id) {
        for (CoseAlgorithm a : values()) {
            if (a.coseId == id) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
