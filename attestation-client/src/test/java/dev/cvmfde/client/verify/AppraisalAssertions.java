package dev.cvmfde.client.verify;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Assertions on an {@link Appraisal} that print the whole verdict table when they fail. */
final class AppraisalAssertions {
    private AppraisalAssertions() {
    }

    static Refused refused(Appraisal a) {
        return assertInstanceOf(Refused.class, a, () -> VerdictTable.render(a));
    }

    static Affirming affirming(Appraisal a) {
        return assertInstanceOf(Affirming.class, a, () -> VerdictTable.render(a));
    }

    /** The first check of that stage with that name (fails the test if there is none). */
    static Check check(Appraisal a, Stage stage, String name) {
        return a.checks().stream().filter(c -> c.stage() == stage && c.name().equals(name)).findFirst().orElseThrow();
    }
}
