package dev.cvmfde.refvalues.eventlog;

import dev.cvmfde.protocol.files.AtomicFiles;
import dev.cvmfde.refvalues.eventlog.EventLogException.Kind;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a TCG2 crypto-agile event log: the SHA-1 format header with the Spec ID event, then
 * TCG_PCR_EVENT2 records. Each event carries one to all declared banks, at most once each, in the
 * declared sizes, so that whatever this writes the reader takes back unchanged.
 */
public final class EventLogWriter implements Closeable {
    private final OutputStream out;
    private final LogFormat format;
    private final EventLogHeader header;
    private final EventLogLimits limits;
    private long written;

    /** Writes the header to {@code out} at once; {@link #close()} closes {@code out}. */
    public EventLogWriter(OutputStream out, LogFormat format, EventLogHeader header) throws IOException {
        this.out = out;
        this.format = format;
        this.header = header;
        this.limits = EventLogLimits.DEFAULT;
        writeHeader();
    }

    /** The bytes of a whole log. */
    public static byte[] toBytes(EventLog log) throws EventLogException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (EventLogWriter w = new EventLogWriter(bytes, log.format(), log.header())) {
            for (LogEvent e : log.events()) {
                w.write(e);
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    /** Writes a whole log atomically (temp file beside {@code target}, fsync, rename). */
    public static void write(EventLog log, Path target) throws IOException, EventLogException {
        byte[] bytes = toBytes(log);
        AtomicFiles.replace(target, bytes, true); // mode 0600, as written before AtomicFiles was shared
    }

    public void write(LogEvent event) throws IOException, EventLogException {
        if (event.index() < 0 || event.index() > format.maxIndex()) {
            throw new EventLogException(Kind.BAD_REGISTER_INDEX, written, "register index " + event.index()
                    + "; a " + format + " log allows 0 to " + format.maxIndex());
        }
        List<AlgorithmSize> banks = header.specId().algorithms();
        if (event.digests().isEmpty() || event.digests().size() > banks.size()) {
            throw new EventLogException(Kind.BAD_DIGEST_COUNT, written, event.digests().size()
                    + " digests; expected 1 to the " + banks.size() + " the Spec ID event declares");
        }
        for (EventDigest d : event.digests()) {
            int size = header.specId().digestSize(d.algId());
            if (size != d.value().length) {
                throw new EventLogException(Kind.UNDECLARED_ALGORITHM, written, "digest algorithm 0x"
                        + Integer.toHexString(d.algId()) + " of " + d.value().length + " bytes is not declared");
            }
        }
        if (event.dataLength() > limits.maxEventDataBytes()) {
            throw new EventLogException(Kind.EVENT_TOO_LARGE, written, "event data of " + event.dataLength()
                    + " bytes; the limit is " + limits.maxEventDataBytes());
        }
        u32(event.index());
        u32(event.type());
        u32(event.digests().size());
        for (EventDigest d : event.digests()) {
            u16(d.algId());
            bytes(d.value());
        }
        u32(event.dataLength());
        bytes(event.data());
    }

    private void writeHeader() throws IOException {
        SpecIdEvent s = header.specId();
        ByteArrayOutputStream spec = new ByteArrayOutputStream();
        spec.writeBytes(EventLogReader.SPEC_ID_SIGNATURE);
        le(spec, s.platformClass(), 4);
        spec.write(s.specVersionMinor());
        spec.write(s.specVersionMajor());
        spec.write(s.specErrata());
        spec.write(s.uintnSize());
        le(spec, s.algorithms().size(), 4);
        for (AlgorithmSize a : s.algorithms()) {
            le(spec, a.algId(), 2);
            le(spec, a.digestSize(), 2);
        }
        spec.write(s.vendorInfo().length);
        spec.writeBytes(s.vendorInfo());
        u32(header.index());
        u32(EventType.EV_NO_ACTION);
        bytes(new byte[20]);
        u32(spec.size());
        bytes(spec.toByteArray());
    }

    private static void le(ByteArrayOutputStream o, long v, int n) {
        for (int i = 0; i < n; i++) {
            o.write((int) (v >>> (8 * i)) & 0xff);
        }
    }

    private void u16(int v) throws IOException {
        out.write(v & 0xff);
        out.write((v >>> 8) & 0xff);
        written += 2;
    }

    private void u32(long v) throws IOException {
        u16((int) (v & 0xffff));
        u16((int) ((v >>> 16) & 0xffff));
    }

    private void bytes(byte[] b) throws IOException {
        out.write(b);
        written += b.length;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
