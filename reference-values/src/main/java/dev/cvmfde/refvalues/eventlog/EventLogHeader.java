package dev.cvmfde.refvalues.eventlog;

import java.util.Objects;

/** The first event of a crypto-agile log (SHA-1 format TCG_PCR_EVENT, EV_NO_ACTION) and its Spec ID. */
public record EventLogHeader(int index, SpecIdEvent specId) {
    public EventLogHeader {
        Objects.requireNonNull(specId, "specId");
    }
}
