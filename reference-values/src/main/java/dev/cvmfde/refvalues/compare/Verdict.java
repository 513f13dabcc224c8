package dev.cvmfde.refvalues.compare;

/** The outcome for one component. Only {@link #MATCH} passes; a missing event is a failure. */
public enum Verdict {
    /** The log's digest equals the baseline's. */
    MATCH,
    /** The log measured the component with another digest. */
    MISMATCH,
    /** The log holds no event for the component. */
    MISSING_EVENT,
    /** The log booted a kernel the baseline does not list. */
    NOT_IN_BASELINE
}
