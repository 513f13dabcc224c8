package dev.cvmfde.refvalues.compare;

import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventLogException;
import dev.cvmfde.refvalues.eventlog.EventLogReader;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.hashjson.Baseline;
import java.io.IOException;
import java.util.List;

/**
 * Compares the boot chain an event log records with a {@link Baseline} as an exact allow-list
 * ({@link BootAllowList}): grub is the one EV_EFI_BOOT_SERVICES_APPLICATION, grub.cfg, kernel and
 * initramfs are grub's EV_IPL file events in their places, and nothing else may be measured.
 * Unlike the virtCCA reference, an absent event is a failure, never a pass, and an extra one is a
 * failure too. A verifier passes the bank the token's REMs use; the log-only overloads use the
 * baseline's {@code hash_alg}.
 */
public final class BaselineComparator {

    private BaselineComparator() {
    }

    /** Compares the events, in the bank {@code bank} (the registers' algorithm). */
    public static ComparisonReport compare(List<LogEvent> events, DigestAlgorithm bank, Baseline baseline) {
        BootAllowList list = new BootAllowList(baseline, bank);
        events.forEach(list::accept);
        return list.report();
    }

    /** Compares the events in the baseline's own bank. */
    public static ComparisonReport compare(List<LogEvent> events, Baseline baseline) {
        return compare(events, baseline.hashAlg(), baseline);
    }

    /**
     * Streams the reader's remaining events, in the baseline's own bank. A TPM log's PCRs are
     * mapped to CC MR indices as UEFI 2.10 §38.4.1 does (PCR 1 and 7 → MR 1, 2–6 → MR 2, 8–15 →
     * MR 3, 16 and up → MR 4), and PCR 0, which a TPM log does extend, to MR 1.
     */
    public static ComparisonReport compare(EventLogReader reader, Baseline baseline)
            throws IOException, EventLogException {
        BootAllowList list = new BootAllowList(baseline, baseline.hashAlg());
        boolean tpm = reader.format() == LogFormat.TCG2;
        for (LogEvent e; (e = reader.next()) != null;) {
            list.accept(tpm ? asMrIndexed(e) : e);
        }
        return list.report();
    }

    /**
     * A TPM log's events with their PCRs mapped to CC MR indices (as {@link #compare(EventLogReader,
     * Baseline)} does), so the one {@link BootAllowList} appraises TPM and CCA boots alike.
     */
    public static List<LogEvent> toMrIndices(List<LogEvent> tpmEvents) {
        return tpmEvents.stream().map(BaselineComparator::asMrIndexed).toList();
    }

    private static LogEvent asMrIndexed(LogEvent e) {
        return new LogEvent(mrIndexOfPcr(e.index()), e.type(), e.digests(), e.data());
    }

    static int mrIndexOfPcr(int pcr) {
        if (pcr <= 1 || pcr == 7) {
            return 1;
        }
        return pcr <= 6 ? 2 : pcr <= 15 ? 3 : 4;
    }
}
