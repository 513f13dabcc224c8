package dev.cvmfde.refvalues.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventLogException.Kind;
import dev.cvmfde.refvalues.testing.Tools;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hostile and broken logs: each gives a typed error naming the failed check, never an OOM. */
class MalformedEventLogTest {
    private static final List<DigestAlgorithm> BANKS = List.of(DigestAlgorithm.SHA256);

    static byte[] header() throws Exception {
        return EventLogWriter.toBytes(new EventLog(LogFormat.TCG2, new EventLogHeader(0, SpecIdEvent.of(BANKS)),
                List.of()));
    }

    static Kind readAllKind(byte[] log, LogFormat f, EventLogLimits limits) {
        return assertThrows(EventLogException.class, () -> {
            try (EventLogReader r = EventLogReader.open(new ByteArrayInputStream(log), f, limits)) {
                while (r.next() != null) {
                    // drain
                }
            }
        }).kind();
    }

    static Kind kind(byte[] log) {
        return readAllKind(log, LogFormat.TCG2, EventLogLimits.DEFAULT);
    }

    static byte[] withEvent(int index, int type, int count, int alg, int digestLen, long size, int dataLen)
            throws Exception {
        return dev.cvmfde.refvalues.testing.Fixtures.withEvent(index, type, count, alg, digestLen, size, dataLen);
    }

    @Test
    void read_eventClaiming4GiB_refusedWithoutAllocating() throws Exception {
        byte[] log = withEvent(4, EventType.EV_IPL, 1, 0x0B, 32, 0xFFFFFFFFL, 16);
        assertEquals(Kind.EVENT_TOO_LARGE, kind(log));
    }

    @Test
    void read_absurdDigestCount_refused() throws Exception {
        assertEquals(Kind.BAD_DIGEST_COUNT, kind(withEvent(4, EventType.EV_IPL, 0x7FFFFFFF, 0x0B, 32, 0, 0)));
        assertEquals(Kind.BAD_DIGEST_COUNT, kind(withEvent(4, EventType.EV_IPL, 0, 0x0B, 32, 0, 0)));
        assertEquals(Kind.BAD_DIGEST_COUNT, kind(withEvent(4, EventType.EV_IPL, 2, 0x0B, 32, 0, 0)));
    }

    @Test
    void read_undeclaredAlgorithm_refused() throws Exception {
        assertEquals(Kind.UNDECLARED_ALGORITHM, kind(withEvent(4, EventType.EV_IPL, 1, 0x04, 20, 0, 0)));
    }

    @Test
    void read_indexBeyondFormat_refused() throws Exception {
        assertEquals(Kind.BAD_REGISTER_INDEX, kind(withEvent(24, EventType.EV_IPL, 1, 0x0B, 32, 0, 0)));
        assertEquals(Kind.BAD_REGISTER_INDEX, readAllKind(withEvent(5, EventType.EV_IPL, 1, 0x0B, 32, 0, 0),
                LogFormat.CCEL, EventLogLimits.DEFAULT));
    }

    @Test
    void read_truncatedRealLog_refusedAsTruncatedAtEveryCut() throws Exception {
        byte[] full = Files.readAllBytes(Tools.vector("eventlog", "event.bin"));
        EventLog log = EventLogReader.readAll(Tools.vector("eventlog", "event.bin"), LogFormat.TCG2,
                EventLogLimits.DEFAULT);
        // event boundaries: the header's length, then each event's size added
        java.util.Set<Integer> boundaries = new java.util.HashSet<>();
        byte[] own = EventLogWriter.toBytes(new EventLog(LogFormat.TCG2, log.header(), List.of()));
        int at = own.length;
        boundaries.add(at);
        for (LogEvent e : log.events()) {
            at += EventLogWriter.toBytes(new EventLog(LogFormat.TCG2, log.header(), List.of(e))).length - own.length;
            boundaries.add(at);
        }
        for (int cut = 1; cut < full.length; cut++) {
            if (boundaries.contains(cut)) {
                continue;
            }
            byte[] t = Arrays.copyOf(full, cut);
            assertEquals(Kind.TRUNCATED, readAllKind(t, LogFormat.TCG2, EventLogLimits.DEFAULT), "cut at " + cut);
        }
    }

    @Test
    void read_badSpecIdEvents_refused() throws Exception {
        assertEquals(Kind.BAD_SPEC_ID_EVENT, kind(Files.readAllBytes(Tools.vector("eventlog", "specid-vendordata.bin"))));
        assertEquals(Kind.BAD_SPEC_ID_EVENT, kind(Files.readAllBytes(Tools.vector("eventlog", "event-uefi-sha1-log.bin"))));
        byte[] h = header();
        byte[] wrongSignature = h.clone();
        wrongSignature[32] = 'X';
        assertEquals(Kind.BAD_SPEC_ID_EVENT, kind(wrongSignature));
        byte[] hugeAlgCount = h.clone();
        ByteBuffer.wrap(hugeAlgCount).order(ByteOrder.LITTLE_ENDIAN).putInt(32 + 24, 0x7FFFFFFF);
        assertEquals(Kind.BAD_SPEC_ID_EVENT, kind(hugeAlgCount));
        byte[] wrongSize = h.clone();
        ByteBuffer.wrap(wrongSize).order(ByteOrder.LITTLE_ENDIAN).putShort(32 + 30, (short) 20);
        assertEquals(Kind.BAD_SPEC_ID_EVENT, kind(wrongSize));
        byte[] hugeHeader = h.clone();
        ByteBuffer.wrap(hugeHeader).order(ByteOrder.LITTLE_ENDIAN).putInt(28, -1);
        assertEquals(Kind.BAD_SPEC_ID_EVENT, kind(hugeHeader));
    }

    @Test
    void read_moreEventsThanLimit_refused() throws Exception {
        byte[] one = withEvent(4, EventType.EV_IPL, 1, 0x0B, 32, 0, 0);
        byte[] h = header();
        byte[] ev = Arrays.copyOfRange(one, h.length, one.length);
        byte[] log = Arrays.copyOf(h, h.length + ev.length * 3);
        for (int i = 0; i < 3; i++) {
            System.arraycopy(ev, 0, log, h.length + i * ev.length, ev.length);
        }
        assertEquals(Kind.TOO_MANY_EVENTS, readAllKind(log, LogFormat.TCG2, new EventLogLimits(1024, 8, 2)));
    }

    @Test
    void write_eventWithUndeclaredBank_refused() {
        LogEvent e = TpmEventLogTest.event(4, EventType.EV_IPL, List.of(DigestAlgorithm.SHA1), new byte[1]);
        EventLog log = new EventLog(LogFormat.TCG2, new EventLogHeader(0, SpecIdEvent.of(BANKS)), List.of(e));
        assertEquals(Kind.UNDECLARED_ALGORITHM, assertThrows(EventLogException.class,
                () -> EventLogWriter.toBytes(log)).kind());
    }
}
