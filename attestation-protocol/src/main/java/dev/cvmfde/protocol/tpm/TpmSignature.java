package dev.cvmfde.protocol.tpm;

import static dev.cvmfde.protocol.tpm.TpmConstants.*;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;

/**
 * A TPMT_SIGNATURE (ECDSA or RSASSA, sha256) and its check with the JCA: ECDSA's r and s become a
 * DER SEQUENCE for {@code SHA256withECDSA}.
 */
public record TpmSignature(int sigAlg, int hashAlg, byte[] first, byte[] second) {
    public static final int MAX_BYTES = 1024;

    public TpmSignature {
        first = first.clone();
        second = second.clone();
    }

    public static TpmSignature parse(byte[] tpmtSignature) throws TpmFormatException {
        if (tpmtSignature.length > MAX_BYTES) {
            throw new TpmFormatException("TPMT_SIGNATURE: " + tpmtSignature.length + " bytes; at most " + MAX_BYTES);
        }
        TpmReader r = new TpmReader(tpmtSignature);
        int alg = r.u16("TPMT_SIGNATURE.sigAlg");
        int hash = r.u16("TPMT_SIGNATURE.hash");
        TpmSignature s = switch (alg) {
            case TPM_ALG_ECDSA -> new TpmSignature(alg, hash, r.tpm2b(66, "signatureR"), r.tpm2b(66, "signatureS"));
            case TPM_ALG_RSASSA -> new TpmSignature(alg, hash, r.tpm2b(512, "signature"), new byte[0]);
            default -> throw new TpmFormatException("TPMT_SIGNATURE.sigAlg: 0x" + Integer.toHexString(alg)
                    + "; ECDSA (0x0018) or RSASSA (0x0014) is required");
        };
        r.requireEnd("TPMT_SIGNATURE");
        return s;
    }

    /** True if {@code key} signed {@code data} with this signature (sha256 only). */
    public boolean verify(PublicKey key, byte[] data) {
        if (hashAlg != TPM_ALG_SHA256) {
            return false;
        }
        try {
            Signature v;
            byte[] sig;
            if (sigAlg == TPM_ALG_ECDSA) {
                if (!"EC".equals(key.getAlgorithm())) {
                    return false;
                }
                v = Signature.getInstance("SHA256withECDSA");
                sig = der(first, second);
            } else {
                if (!"RSA".equals(key.getAlgorithm())) {
                    return false;
                }
                v = Signature.getInstance("SHA256withRSA");
                sig = first;
            }
            v.initVerify(key);
            v.update(data);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** DER SEQUENCE { INTEGER r, INTEGER s }. */
    private static byte[] der(byte[] r, byte[] s) {
        byte[] ri = new BigInteger(1, r).toByteArray();
        byte[] si = new BigInteger(1, s).toByteArray();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(2);
        body.write(ri.length);
        body.writeBytes(ri);
        body.write(2);
        body.write(si.length);
        body.writeBytes(si);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.write(body.size());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    public String algorithmName() {
        return (sigAlg == TPM_ALG_ECDSA ? "ECDSA" : "RSASSA") + "-" + (hashAlg == TPM_ALG_SHA256 ? "SHA256"
                : "0x" + Integer.toHexString(hashAlg));
    }
}
