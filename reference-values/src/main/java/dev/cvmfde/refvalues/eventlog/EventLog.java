package dev.cvmfde.refvalues.eventlog;

import java.util.List;
import java.util.Objects;

/** A whole event log held in memory: format, header and events in log order. */
public record EventLog(LogFormat format, EventLogHeader header, List<LogEvent> events) {
    public EventLog {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(header, "header");
        events = List.copyOf(events);
    }
}
