package dev.cvmfde.refvalues.hashjson;

/**
 * A hash.json that cannot be accepted. {@link #field()} names the JSON field (a path such as
 * {@code kernels[1].initramfs}, or {@code (document)}), {@link #problem()} says what is wrong.
 */
public final class HashJsonException extends Exception {
    /** What is wrong with the field. */
    public enum Problem {
        TOO_LARGE, MALFORMED_JSON, MISSING, WRONG_TYPE, UNSUPPORTED_ALGORITHM, BAD_HEX, WRONG_LENGTH,
        AMBIGUOUS_FORM, TOO_MANY_KERNELS, DUPLICATE_VERSION
    }

    private final String field;
    private final Problem problem;

    public HashJsonException(String field, Problem problem, String detail) {
        super("hash.json field '" + field + "': " + detail);
        this.field = field;
        this.problem = problem;
    }

    public String field() {
        return field;
    }

    public Problem problem() {
        return problem;
    }
}
