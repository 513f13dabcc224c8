package dev.cvmfde.protocol.token;

/**
 * The outer encoding of a CCA token collection. {@link #EAT_399}: CBOR tag 399 around
 * {@code {44234: bstr, 44241: bstr}} (the form TF-RMM 1.0 and virtCCA emit). {@link #CMW_907}:
 * CBOR tag 907 around {@code {44234: [263, bstr], 44241: [263, bstr]}}, the CMW collection of
 * draft-ietf-rats-cca-token, where 263 is the CoAP content format of a tagged COSE_Sign1 EAT.
 */
public enum CollectionForm {
    EAT_399(399),
    CMW_907(907);

    /** CoAP content format number carried in each CMW collection entry. */
    public static final int CMW_CONTENT_FORMAT = 263;

    private final int tag;

    CollectionForm(int tag) {
        this.tag = tag;
    }

    /** The CBOR tag of this form. */
    public int tag() {
        return tag;
    }
}
