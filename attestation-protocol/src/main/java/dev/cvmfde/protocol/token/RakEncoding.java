package dev.cvmfde.protocol.token;

/** How claim 44237 carries the realm attestation key (RAK). */
public enum RakEncoding {
    /** Uncompressed SEC1 EC point {@code 04‖x‖y} (TF-RMM 1.0, virtCCA P-521). */
    RAW_EC_POINT,
    /** An EC2 COSE_Key map (RMM 1.0 with a realm profile claim). */
    COSE_KEY,
    /** A DER SubjectPublicKeyInfo (virtCCA RSA keys). */
    DER_SPKI
}
