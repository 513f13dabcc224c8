package dev.cvmfde.protocol.tpm;

import static dev.cvmfde.protocol.tpm.TpmConstants.*;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;

/**
 * A parsed TPMT_PUBLIC of an RSA or ECC (NIST P-256) key with a sha256 name algorithm: the exact
 * bytes (its name is computed from them), the object attributes, the signing scheme and the key
 * as a JCA {@link PublicKey}. Anything else (keyed hash, symmetric, other curves) does not parse.
 */
public record TpmPublic(byte[] bytes, int type, int nameAlg, int attributes, int schemeAlg, int schemeHash,
        PublicKey publicKey) {

    /** Largest TPMT_PUBLIC accepted (RSA 4096 with a policy is well below this). */
    public static final int MAX_BYTES = 1024;

    public TpmPublic {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** TPM name: nameAlg ‖ SHA-256(TPMT_PUBLIC). */
    public byte[] name() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(bytes);
            return new TpmWriter().u16(nameAlg).bytes(h).toByteArray();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    public boolean has(int attribute) {
        return (attributes & attribute) == attribute;
    }

    /** Parses exactly one TPMT_PUBLIC (no trailing bytes). */
    public static TpmPublic parse(byte[] tpmtPublic) throws TpmFormatException {
        if (tpmtPublic.length > MAX_BYTES) {
            throw new TpmFormatException("TPMT_PUBLIC: " + tpmtPublic.length + " bytes; at most " + MAX_BYTES);
        }
        TpmReader r = new TpmReader(tpmtPublic);
        int type = r.u16("TPMT_PUBLIC.type");
        int nameAlg = r.u16("TPMT_PUBLIC.nameAlg");
        if (nameAlg != TPM_ALG_SHA256) {
            throw new TpmFormatException("TPMT_PUBLIC.nameAlg: 0x" + Integer.toHexString(nameAlg)
                    + "; sha256 (0x000b) is required");
        }
        int attributes = (int) r.u32("TPMT_PUBLIC.objectAttributes");
        r.tpm2b(64, "TPMT_PUBLIC.authPolicy");
        int symmetric = r.u16("TPMT_PUBLIC.parameters.symmetric.algorithm");
        if (symmetric != TPM_ALG_NULL) {
            r.u16("symmetric.keyBits");
            r.u16("symmetric.mode");
        }
        int scheme = r.u16("TPMT_PUBLIC.parameters.scheme");
        int schemeHash = scheme == TPM_ALG_NULL ? TPM_ALG_NULL : r.u16("TPMT_PUBLIC.parameters.scheme.hashAlg");
        PublicKey key;
        try {
            key = switch (type) {
                case TPM_ALG_RSA -> rsa(r);
                case TPM_ALG_ECC -> ecc(r);
                default -> throw new TpmFormatException("TPMT_PUBLIC.type: 0x" + Integer.toHexString(type)
                        + "; RSA (0x0001) or ECC (0x0023) is required");
            };
        } catch (GeneralSecurityException e) {
            throw new TpmFormatException("TPMT_PUBLIC.unique: not a valid public key: " + e.getMessage());
        }
        r.requireEnd("TPMT_PUBLIC");
        return new TpmPublic(tpmtPublic, type, nameAlg, attributes, scheme, schemeHash, key);
    }

    private static PublicKey rsa(TpmReader r) throws TpmFormatException, GeneralSecurityException {
        int bits = r.u16("rsa.keyBits");
        long exponent = r.u32("rsa.exponent");
        byte[] n = r.tpm2b(512, "rsa.unique");
        if (bits < 2048 || n.length * 8 != bits) {
            throw new TpmFormatException("rsa: keyBits " + bits + ", modulus " + n.length * 8 + " bits; 2048 to 4096 "
                    + "and equal are required");
        }
        BigInteger e = BigInteger.valueOf(exponent == 0 ? 65537 : exponent);
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(new BigInteger(1, n), e));
    }

    private static PublicKey ecc(TpmReader r) throws TpmFormatException, GeneralSecurityException {
        int curve = r.u16("ecc.curveID");
        if (curve != TPM_ECC_NIST_P256) {
            throw new TpmFormatException("ecc.curveID: 0x" + Integer.toHexString(curve) + "; NIST P-256 (0x0003) "
                    + "is required");
        }
        int kdf = r.u16("ecc.kdf");
        if (kdf != TPM_ALG_NULL) {
            r.u16("ecc.kdf.hashAlg");
        }
        byte[] x = r.tpm2b(32, "ecc.unique.x");
        byte[] y = r.tpm2b(32, "ecc.unique.y");
        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec spec = p.getParameterSpec(ECParameterSpec.class);
        ECPoint w = new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, spec));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TpmPublic other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "TpmPublic[" + (type == TPM_ALG_RSA ? "RSA" : "ECC P-256") + ", attributes 0x"
                + Integer.toHexString(attributes) + "]";
    }
}
