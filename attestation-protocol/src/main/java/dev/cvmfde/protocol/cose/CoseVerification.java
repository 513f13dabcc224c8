package dev.cvmfde.protocol.cose;

/**
 * The outcome of checking a COSE_Sign1 signature. A bad signature is a result, not an
 * exception: the verifier turns {@link Invalid} into a refusal naming its stage.
 */
public sealed interface CoseVerification {

    /** True only for {@link Valid}. */
    default boolean isValid() {
        return this instanceof Valid;
    }

    /** The signature verifies under the given key with this algorithm and encoding. */
    record Valid(CoseAlgorithm algorithm, SignatureEncoding encoding) implements CoseVerification {
    }

    /** The signature does not verify; {@code reason} says why (never holds key material). */
    record Invalid(String reason) implements CoseVerification {
    }
}
