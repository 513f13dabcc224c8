package dev.cvmfde.protocol.token;

/**
 * A CCA or virtCCA token could not be decoded. {@link #failure()} says what kind of problem
 * it was and {@link #where()} names the place (e.g. {@code "realm claim 44239
 * (extensible measurements)"}); the message also says what was expected and what came.
 * This is the only exception {@link CcaTokenDecoder#decode} throws for bad input.
 */
public final class TokenDecodeException extends Exception {

    /** The kinds of decode failure. */
    public enum Failure {
        /** Input larger than {@link CcaTokenDecoder#MAX_TOKEN_BYTES}. */
        TOO_LARGE,
        /** Not one well-formed CBOR item inside the nesting/size limits. */
        MALFORMED_CBOR,
        /** Top-level tag is not 399 or 907. */
        WRONG_TAG,
        /** A collection entry or claim that must be there is missing. */
        MISSING,
        /** An entry or claim has the wrong CBOR type or form. */
        WRONG_TYPE,
        /** A byte string has a length that is not allowed. */
        WRONG_SIZE,
        /** An array has the wrong number of items. */
        WRONG_COUNT,
        /** An entry or claim that is not allowed here, or an unknown value. */
        UNEXPECTED,
        /** A COSE_Sign1 envelope is malformed or names an unsupported algorithm. */
        BAD_COSE,
        /** The realm attestation key (claim 44237) cannot be read as a public key. */
        BAD_KEY
    }

    private final Failure failure;
    private final String where;

    public TokenDecodeException(Failure failure, String where, String detail) {
        super(where + ": " + detail);
        this.failure = failure;
        this.where = where;
    }

    /** What kind of problem this was. */
    public Failure failure() {
        return failure;
    }

    /** Which part of the token it was found in. */
    public String where() {
        return where;
    }
}
