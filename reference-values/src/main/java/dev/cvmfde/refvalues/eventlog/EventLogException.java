package dev.cvmfde.refvalues.eventlog;

/**
 * An event log that cannot be read or written. {@link #kind()} names the failed check;
 * {@link #offset()} is the byte offset of the event (or field) concerned.
 */
public final class EventLogException extends Exception {
    /** The check that failed. */
    public enum Kind {
        /** The log ends inside an event. */
        TRUNCATED,
        /** The first event is not a TCG_PCR_EVENT carrying a "Spec ID Event03". */
        BAD_SPEC_ID_EVENT,
        /** An event's data is larger than {@link EventLogLimits#maxEventDataBytes()}. */
        EVENT_TOO_LARGE,
        /** A digest count is zero, above the limit, or not the number of algorithms in the Spec ID event. */
        BAD_DIGEST_COUNT,
        /** A digest's algorithm is not one the Spec ID event declared. */
        UNDECLARED_ALGORITHM,
        /** An event's register index is out of range for the log format. */
        BAD_REGISTER_INDEX,
        /** More events than {@link EventLogLimits#maxEvents()}. */
        TOO_MANY_EVENTS
    }

    private final Kind kind;
    private final long offset;

    public EventLogException(Kind kind, long offset, String message) {
        super("event log at byte " + offset + ": " + message);
        this.kind = kind;
        this.offset = offset;
    }

    public Kind kind() {
        return kind;
    }

    public long offset() {
        return offset;
    }
}
