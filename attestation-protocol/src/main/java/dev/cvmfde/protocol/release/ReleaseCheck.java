package dev.cvmfde.protocol.release;

/** The checks {@link ReleaseOpener} makes, in order; a rejection names the one that failed. */
public enum ReleaseCheck {
    /** Compact JWS within its size limit, {@code typ}, claims and inner JWE well formed. */
    FORMAT,
    /** JWS {@code alg} is the one the pinned key signs with (ES384/ES256; never none/HS*), JWE alg/enc ours. */
    ALGORITHM,
    /** Signature verifies with the pinned verifier key. */
    SIGNATURE,
    /** {@code nonce} claim equals this session's nonce. */
    NONCE,
    /** {@code cnf.jkt} claim equals the thumbprint of this session's ephemeral key. */
    KEY_BINDING,
    /** Issued-at/expiry: not expired, not issued in the future, lifetime within the limit. */
    EXPIRY,
    /** The JWE decrypts with the ephemeral private key. */
    DECRYPTION
}
