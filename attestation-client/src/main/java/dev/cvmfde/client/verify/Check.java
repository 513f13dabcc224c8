package dev.cvmfde.client.verify;

import java.util.Objects;
import java.util.Optional;

/**
 * One check the verifier made: what it compared, what it expected, what it found.
 * {@code expected} and {@code actual} hold public values only (digests, claims), never keys.
 * A SKIPPED check may name the {@link Insecure} option that allows skipping it ({@code waiver}):
 * the verifier refuses such a check unless that option was given (fail closed).
 */
public record Check(Stage stage, String name, Outcome outcome, String expected, String actual, String detail,
        Optional<Insecure> waiver) {

    /**
     * The outcome of one check. {@code FLAGGED} passes but must be shown loudly (the evidence
     * came from the simulated TEE and the caller allowed it).
     */
    public enum Outcome { PASS, FAIL, SKIPPED, FLAGGED }

    public Check {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(outcome, "outcome");
        expected = expected == null ? "" : expected;
        actual = actual == null ? "" : actual;
        detail = detail == null ? "" : detail;
        Objects.requireNonNull(waiver, "waiver");
        if (waiver.isPresent() && outcome != Outcome.SKIPPED) {
            throw new IllegalArgumentException("only a SKIPPED check names a waiver; got " + outcome);
        }
    }

    /** A check without a waiver. */
    public Check(Stage stage, String name, Outcome outcome, String expected, String actual, String detail) {
        this(stage, name, outcome, expected, actual, detail, Optional.empty());
    }

    public static Check pass(Stage stage, String name, String expected, String actual) {
        return new Check(stage, name, Outcome.PASS, expected, actual, "");
    }

    public static Check fail(Stage stage, String name, String expected, String actual, String detail) {
        return new Check(stage, name, Outcome.FAIL, expected, actual, detail);
    }

    public static Check skipped(Stage stage, String name, String why) {
        return new Check(stage, name, Outcome.SKIPPED, "", "", why);
    }

    /**
     * A check that could not run for want of an input; it refuses unless {@code waiver}'s option
     * was given (the verifier decides, see {@link Verifier}).
     */
    public static Check unchecked(Stage stage, String name, Insecure waiver, String why) {
        return new Check(stage, name, Outcome.SKIPPED, "", "", why, Optional.of(waiver));
    }

    public static Check flagged(Stage stage, String name, String expected, String actual, String detail) {
        return new Check(stage, name, Outcome.FLAGGED, expected, actual, detail);
    }

    public boolean failed() {
        return outcome == Outcome.FAIL;
    }

    /**
     * The verdict as shown: {@code PASS}, {@code FAIL}, {@code FLAGGED}, {@code SKIPPED}, or for a
     * check skipped on request {@code SKIPPED (INSECURE: --insecure-no-rim)}.
     */
    public String verdict() {
        return waiver.map(w -> "SKIPPED (INSECURE: " + w.option() + ")").orElse(outcome.name());
    }

    /** One line for a refusal message: {@code "binding: rak-hash: expected …, got …"}. */
    public String summary() {
        StringBuilder sb = new StringBuilder(stage.label()).append(": ").append(name);
        if (!detail.isEmpty()) {
            sb.append(": ").append(detail);
        }
        if (outcome == Outcome.FAIL && (!expected.isEmpty() || !actual.isEmpty())) {
            sb.append(" (expected ").append(expected.isEmpty() ? "-" : expected)
                    .append(", got ").append(actual.isEmpty() ? "-" : actual).append(')');
        }
        return sb.toString();
    }
}
