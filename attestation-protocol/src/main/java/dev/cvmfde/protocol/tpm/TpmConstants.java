package dev.cvmfde.protocol.tpm;

/** The TPM 2.0 constants this code uses (TPM 2.0 Library, Part 2), by their specification names. */
public final class TpmConstants {
    private TpmConstants() {
    }

    public static final int TPM_ALG_RSA = 0x0001;
    public static final int TPM_ALG_SHA256 = 0x000B;
    public static final int TPM_ALG_AES = 0x0006;
    public static final int TPM_ALG_NULL = 0x0010;
    public static final int TPM_ALG_RSASSA = 0x0014;
    public static final int TPM_ALG_ECDSA = 0x0018;
    public static final int TPM_ALG_ECC = 0x0023;
    public static final int TPM_ALG_CFB = 0x0043;
    public static final int TPM_ECC_NIST_P256 = 0x0003;

    public static final int TPM_ST_NO_SESSIONS = 0x8001;
    public static final int TPM_ST_SESSIONS = 0x8002;
    public static final int TPM_ST_ATTEST_QUOTE = 0x8018;
    /** TPMS_ATTEST.magic: the structure was made by a TPM ("\xffTCG"). */
    public static final long TPM_GENERATED_VALUE = 0xff544347L;

    public static final long TPM_RH_OWNER = 0x40000001L;
    public static final long TPM_RH_NULL = 0x40000007L;
    public static final long TPM_RS_PW = 0x40000009L;
    public static final long TPM_RH_ENDORSEMENT = 0x4000000BL;

    /** TPMA_OBJECT bits. */
    public static final int FIXED_TPM = 1 << 1;
    public static final int FIXED_PARENT = 1 << 4;
    public static final int SENSITIVE_DATA_ORIGIN = 1 << 5;
    public static final int USER_WITH_AUTH = 1 << 6;
    public static final int ADMIN_WITH_POLICY = 1 << 7;
    public static final int RESTRICTED = 1 << 16;
    public static final int DECRYPT = 1 << 17;
    public static final int SIGN = 1 << 18;

    /** NV index of the RSA 2048 EK certificate (TCG EK Credential Profile). */
    public static final long NV_RSA_EK_CERT = 0x01c00002L;
    /** NV index of the ECC NIST P-256 EK certificate. */
    public static final long NV_ECC_EK_CERT = 0x01c0000aL;
    /** Where swtpm_setup (and many platforms) persist the RSA EK. */
    public static final long PERSISTENT_RSA_EK = 0x81010001L;
    /** Digest size of the sha256 bank. */
    public static final int SHA256_BYTES = 32;
}
