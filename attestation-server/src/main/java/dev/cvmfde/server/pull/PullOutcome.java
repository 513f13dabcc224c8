package dev.cvmfde.server.pull;

/** How a pull ended. */
public sealed interface PullOutcome {
    /** A release passed every check and the key sink unlocked; {@code attempts} counts exchanges tried. */
    record Unlocked(String detail, int attempts) implements PullOutcome {
    }

    /** No working key before {@code giveUp}; {@code lastProblem} says what the last attempt met. */
    record GaveUp(String lastProblem, int attempts) implements PullOutcome {
    }
}
