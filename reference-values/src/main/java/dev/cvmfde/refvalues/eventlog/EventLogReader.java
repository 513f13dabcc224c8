package dev.cvmfde.refvalues.eventlog;

import dev.cvmfde.refvalues.eventlog.EventLogException.Kind;
import dev.cvmfde.refvalues.eventlog.internal.LittleEndianInput;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Streams a TCG2 crypto-agile event log (or CCEL log): the Spec ID header is read on open, then
 * {@link #next()} returns one event at a time, so memory stays bounded by one event whatever the
 * log's size. Every length read from the log is checked against {@link EventLogLimits} before
 * anything is allocated. A register index and event type of {@code 0xFFFFFFFF} (CCEL padding) or a
 * clean end of input ends the log.
 */
public final class EventLogReader implements Closeable {
    static final byte[] SPEC_ID_SIGNATURE = "Spec ID Event03\0".getBytes(StandardCharsets.US_ASCII);
    private static final long END_MARKER = 0xFFFFFFFFL;

    private final InputStream stream;
    private final LittleEndianInput in;
    private final LogFormat format;
    private final EventLogLimits limits;
    private final EventLogHeader header;
    private long count;
    private boolean ended;

    private EventLogReader(InputStream stream, LogFormat format, EventLogLimits limits)
            throws IOException, EventLogException {
        this.stream = stream;
        this.in = new LittleEndianInput(stream);
        this.format = format;
        this.limits = limits;
        this.header = readHeader();
    }

    /** Opens a reader over {@code in} (which it closes on {@link #close()}) and reads the header. */
    public static EventLogReader open(InputStream in, LogFormat format, EventLogLimits limits)
            throws IOException, EventLogException {
        return new EventLogReader(new BufferedInputStream(in, 1 << 16), format, limits);
    }

    public static EventLogReader open(Path file, LogFormat format, EventLogLimits limits)
            throws IOException, EventLogException {
        InputStream in = Files.newInputStream(file);
        try {
            return open(in, format, limits);
        } catch (IOException | EventLogException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Reads a whole log into memory; meant for logs of ordinary size (the limits still apply). */
    public static EventLog readAll(Path file, LogFormat format, EventLogLimits limits)
            throws IOException, EventLogException {
        try (EventLogReader r = open(file, format, limits)) {
            List<LogEvent> events = new ArrayList<>();
            for (LogEvent e; (e = r.next()) != null;) {
                events.add(e);
            }
            return new EventLog(format, r.header(), events);
        }
    }

    public EventLogHeader header() {
        return header;
    }

    public LogFormat format() {
        return format;
    }

    /** The next event, or {@code null} at the end of the log. */
    public LogEvent next() throws IOException, EventLogException {
        if (ended) {
            return null;
        }
        long start = in.offset();
        int b0 = in.readOrEnd();
        if (b0 < 0) {
            ended = true;
            return null;
        }
        long index = b0 | ((long) in.u8("the register index") << 8) | ((long) in.u16("the register index") << 16);
        long type = in.u32("the event type");
        if (index == END_MARKER && type == END_MARKER) {
            ended = true;
            return null;
        }
        if (++count > limits.maxEvents()) {
            throw new EventLogException(Kind.TOO_MANY_EVENTS, start, "more than " + limits.maxEvents() + " events");
        }
        if (index > format.maxIndex()) {
            throw new EventLogException(Kind.BAD_REGISTER_INDEX, start, "register index " + index + "; a "
                    + format + " log allows 0 to " + format.maxIndex());
        }
        List<EventDigest> digests = readDigests(start);
        byte[] data = readData(start);
        return new LogEvent((int) index, (int) type, digests, data);
    }

    private List<EventDigest> readDigests(long start) throws IOException, EventLogException {
        long n = in.u32("the digest count");
        int declared = header.specId().algorithms().size();
        if (n == 0 || n > limits.maxDigestCount() || n > declared) {
            throw new EventLogException(Kind.BAD_DIGEST_COUNT, start, "digest count " + n + "; expected 1 to the "
                    + declared + " algorithms the Spec ID event declares (limit " + limits.maxDigestCount() + ")");
        }
        List<EventDigest> out = new ArrayList<>((int) n);
        for (int i = 0; i < n; i++) {
            int alg = in.u16("a digest's algorithm id");
            int size = header.specId().digestSize(alg);
            if (size < 0) {
                throw new EventLogException(Kind.UNDECLARED_ALGORITHM, in.offset() - 2, "digest algorithm 0x"
                        + Integer.toHexString(alg) + " is not declared in the Spec ID event");
            }
            for (EventDigest seen : out) {
                if (seen.algId() == alg) {
                    throw new EventLogException(Kind.BAD_DIGEST_COUNT, in.offset() - 2, "digest algorithm 0x"
                            + Integer.toHexString(alg) + " appears twice in one event");
                }
            }
            out.add(new EventDigest(alg, in.bytes(size, "a digest")));
        }
        return out;
    }

    private byte[] readData(long start) throws IOException, EventLogException {
        long size = in.u32("the event size");
        if (size > limits.maxEventDataBytes()) {
            throw new EventLogException(Kind.EVENT_TOO_LARGE, start, "event data of " + size + " bytes; the limit is "
                    + limits.maxEventDataBytes());
        }
        return in.bytes((int) size, "the event data");
    }

    private EventLogHeader readHeader() throws IOException, EventLogException {
        long index = in.u32("the header's register index");
        long type = in.u32("the header's event type");
        in.bytes(20, "the header's SHA-1 digest");
        long size = in.u32("the header's event size");
        if (type != EventType.EV_NO_ACTION) {
            throw badSpec("the first event has type " + EventType.name((int) type) + "; expected EV_NO_ACTION "
                    + "(a log without a Spec ID event is SHA-1 only, which this reader does not take)");
        }
        if (index > format.maxIndex()) {
            throw badSpec("the header's register index is " + index);
        }
        if (size < 29 || size > 29 + SpecIdEvent.MAX_ALGORITHMS * 4 + 255) {
            throw badSpec("the Spec ID event is " + size + " bytes; expected 29 to "
                    + (29 + SpecIdEvent.MAX_ALGORITHMS * 4 + 255));
        }
        byte[] data = in.bytes((int) size, "the Spec ID event");
        return new EventLogHeader((int) index, parseSpecId(data));
    }

    private SpecIdEvent parseSpecId(byte[] d) throws EventLogException {
        if (!Arrays.equals(d, 0, 16, SPEC_ID_SIGNATURE, 0, 16)) {
            throw badSpec("the signature is not \"Spec ID Event03\"");
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(d).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int platformClass = b.getInt(16);
        int minor = b.get(20) & 0xff;
        int major = b.get(21) & 0xff;
        int errata = b.get(22) & 0xff;
        int uintn = b.get(23) & 0xff;
        long n = Integer.toUnsignedLong(b.getInt(24));
        if (n == 0 || n > SpecIdEvent.MAX_ALGORITHMS || 28 + n * 4 + 1 > d.length) {
            throw badSpec(n + " algorithms do not fit a " + d.length + "-byte Spec ID event");
        }
        List<AlgorithmSize> algs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = Short.toUnsignedInt(b.getShort(28 + i * 4));
            int sz = Short.toUnsignedInt(b.getShort(30 + i * 4));
            if (sz == 0 || sz > 64 || AlgorithmSize.ofKnownMismatch(id, sz)) {
                throw badSpec("algorithm 0x" + Integer.toHexString(id) + " declared with digest size " + sz);
            }
            algs.add(new AlgorithmSize(id, sz));
        }
        int vendorAt = 28 + (int) n * 4;
        int vendorSize = d[vendorAt] & 0xff;
        if (vendorAt + 1 + vendorSize != d.length) {
            throw badSpec("vendor info of " + vendorSize + " bytes does not end the Spec ID event");
        }
        byte[] vendor = Arrays.copyOfRange(d, vendorAt + 1, d.length);
        return new SpecIdEvent(platformClass, minor, major, errata, uintn, algs, vendor);
    }

    private EventLogException badSpec(String what) {
        return new EventLogException(Kind.BAD_SPEC_ID_EVENT, in.offset(), what);
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
