package dev.cvmfde.protocol.cose;

/**
 * How an ECDSA signature is laid out in the COSE_Sign1 signature field. RFC 9053 requires
 * {@link #RAW} (r‖s, each left-padded to the field size); virtCCA firmware emits
 * {@link #DER} (an ASN.1 SEQUENCE of two INTEGERs). RSA-PSS signatures are always {@link #RAW}.
 */
public enum SignatureEncoding {
    RAW,
    DER
}
