package dev.cvmfde.protocol.token;

/**
 * How the realm (cVM) claims map sits in its COSE_Sign1 payload. {@link #MAP}: the payload is
 * the encoded map (Arm CCA). {@link #BSTR_WRAPPED}: the payload is an encoded byte string that
 * holds the encoded map, i.e. wrapped twice (virtCCA firmware).
 */
public enum RealmPayloadForm {
    MAP,
    BSTR_WRAPPED
}
