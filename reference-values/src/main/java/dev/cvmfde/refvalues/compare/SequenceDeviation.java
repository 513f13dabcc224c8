package dev.cvmfde.refvalues.compare;

import java.util.Objects;

/**
 * Where an event log leaves the sequence the baseline allows: the event (1-based, in log order;
 * 0 when the deviation is about the whole log), its MR index (-1 for the whole log), what kind of
 * deviation, what was allowed at that point and what the log holds.
 */
public record SequenceDeviation(long event, int mrIndex, Kind kind, String expected, String actual) {

    /** The kinds of deviation. */
    public enum Kind {
        /** A measured event at MR index 0: it enters no REM, so nothing proves it was measured. */
        INDEX_0_EVENT,
        /** An event the allowed sequence has no place for (a second EFI application, kernel, initrd, …). */
        NOT_ALLOWED,
        /** An allowed kind of event before the events that must precede it. */
        OUT_OF_ORDER,
        /** The log ends before the sequence is complete. */
        MISSING,
        /** A measured event without a digest in the compared bank. */
        NO_DIGEST_IN_BANK,
        /** The baseline's hash_alg is not the bank of the registers. */
        ALGORITHM_MISMATCH
    }

    public SequenceDeviation {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(actual, "actual");
    }

    /** {@code "event 12 (MR 3): NOT_ALLOWED: expected …, got …"}. */
    public String summary() {
        String where = event == 0 ? "log" : "event " + event + " (MR " + mrIndex + ")";
        return where + ": " + kind + ": expected " + expected + ", got " + actual;
    }
}
