package dev.cvmfde.server.provider.simulated;

import dev.cvmfde.protocol.token.HashAlgorithm;
import dev.cvmfde.protocol.token.SimulatedTee;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventLog;
import dev.cvmfde.refvalues.eventlog.EventLogException;
import dev.cvmfde.refvalues.eventlog.EventLogLimits;
import dev.cvmfde.refvalues.eventlog.EventLogReader;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.replay.Registers;
import dev.cvmfde.refvalues.replay.Replayer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The RIM and REMs the simulated realm reports, from a CCEL-form event log replayed by
 * reference-values: REM[k] = replay of MR index k+1, RIM = {@link SimulatedTee#rim} of the replay
 * of the index-0 (initial measurement) events from zeros. The SHA-256 bank is used (as virtCCA's
 * RMM); without a log every REM is zeros and the RIM is that of no index-0 events.
 */
record SimulatedMeasurements(byte[] rim, List<byte[]> rems) {
    static final DigestAlgorithm BANK = DigestAlgorithm.SHA256;
    static final HashAlgorithm CLAIM_ALGORITHM = HashAlgorithm.SHA_256;

    SimulatedMeasurements {
        rim = rim.clone();
        rems = rems.stream().map(byte[]::clone).toList();
    }

    static SimulatedMeasurements none() {
        return new SimulatedMeasurements(SimulatedTee.rim(new byte[BANK.size()]),
                IntStream.range(0, Replayer.REM_COUNT).mapToObj(i -> new byte[BANK.size()]).toList());
    }

    /** Replays {@code ccelLog} (raw CCEL log area, padding allowed). */
    static SimulatedMeasurements of(Optional<byte[]> ccelLog) throws IOException, EventLogException {
        if (ccelLog.isEmpty()) {
            return none();
        }
        EventLog log;
        try (EventLogReader reader = EventLogReader.open(new ByteArrayInputStream(ccelLog.get()), LogFormat.CCEL,
                EventLogLimits.DEFAULT)) {
            List<LogEvent> events = new java.util.ArrayList<>();
            for (LogEvent e; (e = reader.next()) != null;) {
                events.add(e);
            }
            log = new EventLog(reader.format(), reader.header(), events);
        }
        Registers rems = Replayer.replay(log.events(), LogFormat.CCEL, BANK);
        // The initial measurement is register 0 of a replay that does not skip index 0.
        List<LogEvent> initial = log.events().stream().filter(e -> e.index() == 0).toList();
        Registers rim = Replayer.replay(initial, LogFormat.TCG2, BANK);
        return new SimulatedMeasurements(SimulatedTee.rim(rim.get(0).value()),
                IntStream.range(0, Replayer.REM_COUNT).mapToObj(i -> rems.get(i).value()).toList());
    }

    /**
     * These measurements with REM[{@code rem}] extended by {@code data} as a CCA realm's
     * RSI_MEASUREMENT_EXTEND does it: REM = H(REM ‖ H(data)) in the bank's algorithm.
     */
    SimulatedMeasurements extended(int rem, byte[] data) {
        MessageDigest h = BANK.newMessageDigest();
        byte[] measurement = h.digest(data);
        h.update(rems.get(rem));
        h.update(measurement);
        List<byte[]> next = new ArrayList<>(rems);
        next.set(rem, h.digest());
        return new SimulatedMeasurements(rim, next);
    }

    @Override
    public byte[] rim() {
        return rim.clone();
    }

    @Override
    public List<byte[]> rems() {
        return rems.stream().map(byte[]::clone).toList();
    }
}
