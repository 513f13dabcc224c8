package dev.cvmfde.refvalues.eventlog;

/**
 * Bounds the reader holds every log to, so that a hostile log cannot exhaust memory. Defaults are
 * far above real firmware logs (the largest events, EFI variables and GPT tables, are a few KiB).
 */
public record EventLogLimits(int maxEventDataBytes, int maxDigestCount, long maxEvents) {
    /** Default largest event data: 1 MiB. */
    public static final int MAX_EVENT_DATA_BYTES = 1 << 20;
    /** Default most digests per event (one per declared bank). */
    public static final int MAX_DIGEST_COUNT = 8;
    /** Default most events per log. */
    public static final long MAX_EVENTS = 1_000_000;

    public static final EventLogLimits DEFAULT = new EventLogLimits(MAX_EVENT_DATA_BYTES, MAX_DIGEST_COUNT, MAX_EVENTS);

    public EventLogLimits {
        if (maxEventDataBytes < 0 || maxDigestCount < 1 || maxEvents < 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
