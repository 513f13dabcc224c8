package dev.cvmfde.client.verify;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The evidence was refused. {@link #failures()} lists every failed check, each naming its
 * stage; {@link #checks()} has them all, with later stages SKIPPED (and why) where an earlier
 * integrity failure made the claims untrusted. Only {@link Verifier} makes one.
 */
public final class Refused implements Appraisal {
    private final List<Check> checks;

    Refused(List<Check> checks) {
        this.checks = List.copyOf(checks);
        if (checks.stream().noneMatch(Check::failed)) {
            throw new IllegalArgumentException("a refusal needs at least one failed check");
        }
    }

    @Override
    public List<Check> checks() {
        return checks;
    }

    /** The first stage (in verification order) with a failed check. */
    public Stage firstFailedStage() {
        return failures().getFirst().stage();
    }

    /** The stages with at least one failed check, in order. */
    public List<Stage> failedStages() {
        return failures().stream().map(Check::stage).distinct().toList();
    }

    /** One line per failed check: {@code "binding: rak-hash: … (expected …, got …)"}. */
    public String summary() {
        return failures().stream().map(Check::summary).collect(Collectors.joining("; "));
    }

    @Override
    public String toString() {
        return "Refused[" + summary() + "]";
    }
}
