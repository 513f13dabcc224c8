package dev.cvmfde.protocol.tpm;

import static dev.cvmfde.protocol.tpm.TpmConstants.*;

import java.util.HexFormat;

/**
 * The TPMT_PUBLIC templates of the two keys the TPM evidence uses. A primary key is derived from
 * the hierarchy's seed and its template, so the same template gives the same key (and name) every
 * time: the guest re-derives its AK for the credential activation instead of keeping it loaded.
 */
public final class TpmTemplates {
    private TpmTemplates() {
    }

    /** The AK's attributes: a restricted signing key that never leaves this TPM. */
    public static final int AK_ATTRIBUTES = FIXED_TPM | FIXED_PARENT | SENSITIVE_DATA_ORIGIN | USER_WITH_AUTH
            | RESTRICTED | SIGN;

    /** PolicySecret(TPM_RH_ENDORSEMENT): the default EK's authPolicy (TCG EK Credential Profile 2.0, B.3.3). */
    public static final byte[] EK_POLICY = HexFormat.of()
            .parseHex("837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa");

    /** ECC P-256, ECDSA-SHA256, restricted signing: the attestation key. */
    public static byte[] attestationKey() {
        return new TpmWriter().u16(TPM_ALG_ECC).u16(TPM_ALG_SHA256).u32(AK_ATTRIBUTES & 0xffffffffL)
                .tpm2b(new byte[0])
                .u16(TPM_ALG_NULL) // symmetric
                .u16(TPM_ALG_ECDSA).u16(TPM_ALG_SHA256)
                .u16(TPM_ECC_NIST_P256)
                .u16(TPM_ALG_NULL) // kdf
                .tpm2b(new byte[0]).tpm2b(new byte[0])
                .toByteArray();
    }

    /** The TCG default RSA 2048 EK template (EK Credential Profile 2.0, template L-1). */
    public static byte[] rsaEndorsementKey() {
        int attributes = FIXED_TPM | FIXED_PARENT | SENSITIVE_DATA_ORIGIN | ADMIN_WITH_POLICY | RESTRICTED | DECRYPT;
        return new TpmWriter().u16(TPM_ALG_RSA).u16(TPM_ALG_SHA256).u32(attributes & 0xffffffffL)
                .tpm2b(EK_POLICY)
                .u16(TPM_ALG_AES).u16(128).u16(TPM_ALG_CFB)
                .u16(TPM_ALG_NULL) // scheme
                .u16(2048).u32(0)
                .tpm2b(new byte[256])
                .toByteArray();
    }
}
