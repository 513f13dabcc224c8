package dev.cvmfde.refvalues.replay;

import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventLogException;
import dev.cvmfde.refvalues.eventlog.EventLogException.Kind;
import dev.cvmfde.refvalues.eventlog.EventLogReader;
import dev.cvmfde.refvalues.eventlog.EventType;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Replays an event log: every register starts at zeros and each event extends it,
 * {@code R = H(R ‖ digest)}. In a CCEL log MR index k (1–4) extends REM[k−1] and index 0 (the
 * initial measurement, held elsewhere) is skipped; in a TPM log the index is the PCR. EV_NO_ACTION
 * events are never extended; in a TPM log an EV_NO_ACTION "StartupLocality" event on PCR 0 sets
 * PCR 0's initial value to the locality (TCG PC Client PFP, "Startup Locality Event"), and an
 * EV_EFI_HCRTM_EVENT on PCR 0 means an H-CRTM start (locality 4: TPM 2.0 Library Part 1 §34.3),
 * so PCR 0 starts at {@code 00…04} before that event is extended.
 */
public final class Replayer {
    public static final int REM_COUNT = 4;
    public static final int PCR_COUNT = 24;
    private static final byte[] STARTUP_LOCALITY = "StartupLocality\0".getBytes(StandardCharsets.US_ASCII);

    private Replayer() {
    }

    /** Replays a CCEL log into REM[0..3]. Consumes the reader's remaining events. */
    public static Registers replayRems(EventLogReader reader, DigestAlgorithm alg) throws IOException, EventLogException {
        requireFormat(reader, LogFormat.CCEL);
        return replay(reader, alg, REM_COUNT, 1);
    }

    /** Replays a TPM log into PCR[0..23] of one bank. Consumes the reader's remaining events. */
    public static Registers replayPcrs(EventLogReader reader, DigestAlgorithm bank) throws IOException, EventLogException {
        requireFormat(reader, LogFormat.TCG2);
        return replay(reader, bank, PCR_COUNT, 0);
    }

    /** Replays events already in memory; {@code format} decides REMs or PCRs. */
    public static Registers replay(List<LogEvent> events, LogFormat format, DigestAlgorithm alg) throws EventLogException {
        State s = format == LogFormat.CCEL ? new State(alg, REM_COUNT, 1) : new State(alg, PCR_COUNT, 0);
        for (LogEvent e : events) {
            s.apply(e, 0);
        }
        return s.result();
    }

    private static Registers replay(EventLogReader reader, DigestAlgorithm alg, int count, int indexBase)
            throws IOException, EventLogException {
        if (reader.header().specId().digestSize(alg.tpmAlgId()) != alg.size()) {
            throw new EventLogException(Kind.UNDECLARED_ALGORITHM, 0, "the log has no " + alg.bankName()
                    + " bank; it declares " + reader.header().specId().algorithms());
        }
        State s = new State(alg, count, indexBase);
        long n = 0;
        for (LogEvent e; (e = reader.next()) != null;) {
            s.apply(e, ++n);
        }
        return s.result();
    }

    private static void requireFormat(EventLogReader reader, LogFormat f) {
        if (reader.format() != f) {
            throw new IllegalArgumentException("expected a " + f + " reader; got " + reader.format());
        }
    }

    private static final class State {
        private final DigestAlgorithm alg;
        private final byte[][] regs;
        private final int indexBase;
        private final MessageDigest md;
        private final Set<Integer> extended = new HashSet<>();

        State(DigestAlgorithm alg, int count, int indexBase) {
            this.alg = alg;
            this.regs = new byte[count][alg.size()];
            this.indexBase = indexBase;
            this.md = alg.newMessageDigest();
        }

        void apply(LogEvent e, long number) throws EventLogException {
            if (e.type() == EventType.EV_NO_ACTION) {
                startupLocality(e);
                return;
            }
            int reg = e.index() - indexBase;
            if (reg < 0) {
                return;
            }
            if (indexBase == 0 && reg == 0 && e.type() == EventType.EV_EFI_HCRTM_EVENT && !extended.contains(0)) {
                regs[0] = locality(4);
            }
            if (reg >= regs.length) {
                throw new EventLogException(Kind.BAD_REGISTER_INDEX, 0, "event " + number + " has index " + e.index()
                        + "; expected at most " + (regs.length - 1 + indexBase));
            }
            Digest d = e.digest(alg).orElseThrow(() -> new EventLogException(Kind.UNDECLARED_ALGORITHM, 0,
                    "event " + number + " carries no " + alg.bankName() + " digest"));
            md.update(regs[reg]);
            md.update(d.value());
            regs[reg] = md.digest();
            extended.add(reg);
        }

        private void startupLocality(LogEvent e) {
            byte[] data = e.data();
            if (indexBase == 0 && e.index() == 0 && data.length == STARTUP_LOCALITY.length + 1
                    && Arrays.equals(data, 0, STARTUP_LOCALITY.length, STARTUP_LOCALITY, 0, STARTUP_LOCALITY.length)) {
                regs[0] = locality(data[STARTUP_LOCALITY.length]);
            }
        }

        private byte[] locality(int locality) {
            byte[] init = new byte[alg.size()];
            init[init.length - 1] = (byte) locality;
            return init;
        }

        Registers result() {
            List<Digest> out = new ArrayList<>();
            for (byte[] r : regs) {
                out.add(new Digest(alg, r));
            }
            return new Registers(alg, out, extended);
        }
    }
}
