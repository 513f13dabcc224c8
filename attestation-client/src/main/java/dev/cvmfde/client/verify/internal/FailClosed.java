package dev.cvmfde.client.verify.internal;

import dev.cvmfde.client.verify.Check;
import dev.cvmfde.client.verify.Insecure;
import java.util.List;
import java.util.Set;

/**
 * The verifier's last word on checks that did not run. A check that names a waiver
 * ({@link Check#unchecked}) stays SKIPPED, shown in capitals, only if that {@link Insecure}
 * option was given; otherwise it refuses. A SKIPPED check without a waiver is a consequence of
 * another failure (claims untrusted, a log that does not replay); if nothing failed, no check may
 * have been skipped silently, so it refuses too. When another check already failed, the evidence
 * is refused anyway: checks that could not run stay SKIPPED, saying what they would need, so the
 * refusal names the stage that failed rather than every missing input.
 */
public final class FailClosed {
    private FailClosed() {
    }

    public static List<Check> apply(List<Check> checks, Set<Insecure> waived) {
        boolean refusedAnyway = checks.stream().anyMatch(Check::failed);
        return checks.stream().map(c -> decide(c, waived, refusedAnyway)).toList();
    }

    private static Check decide(Check c, Set<Insecure> waived, boolean refusedAnyway) {
        if (c.outcome() != Check.Outcome.SKIPPED) {
            return c;
        }
        if (c.waiver().isEmpty()) {
            return refusedAnyway ? c : Check.fail(c.stage(), c.name(), "the check to run", "not checked", c.detail()
                    + "; refused (fail closed): a check that could not run is not a pass");
        }
        Insecure w = c.waiver().get();
        if (waived.contains(w)) {
            return c;
        }
        String needs = "needs " + w.required() + ", or " + w.option() + " to skip this check deliberately";
        return refusedAnyway ? Check.skipped(c.stage(), c.name(), c.detail() + "; " + needs)
                : Check.fail(c.stage(), c.name(), w.required(), "none", c.detail() + "; refused (fail closed): " + needs);
    }
}
