package dev.cvmfde.client.store.internal;

import dev.cvmfde.client.store.AuditAnchor;
import dev.cvmfde.client.store.AuditEvent;
import dev.cvmfde.client.store.AuditRecord;
import dev.cvmfde.client.store.AuditTrail;
import dev.cvmfde.client.store.AuditVerification;
import dev.cvmfde.client.store.StoreCorruptException;
import dev.cvmfde.client.store.StoreException;
import dev.cvmfde.client.store.StoreUnavailableException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * The directory store's trail: {@code audit.jsonl}, one {@link AuditLines} record per line.
 * An append is one positional write of the whole line and its newline, then fsync, under the
 * writer lock (across processes); appends that arrive together share the write and the fsync
 * (group commit), each returning only once its record is on disk. A crash can only leave the last line short (no newline): that
 * record was never acknowledged, {@link #verify()} reports it as a torn tail, and the next append
 * cuts it off before writing, so a crash never breaks the records before it.
 */
final class DirectoryAuditTrail implements AuditTrail, AutoCloseable {
    private final Path file;
    private final DirectoryLock lock;
    /**
     * The file size after our last append and the record it ends with; re-read when another
     * writer moved it. Touched only by the writer thread (see {@link #append}).
     */
    private long knownSize = -1;
    private AuditRecord knownLast;

    DirectoryAuditTrail(Path file) {
        this.file = file;
        this.lock = new DirectoryLock(file.resolveSibling(".audit.lock"));
    }

    /** One append waiting for the batch that writes it. */
    private static final class Pending {
        final AuditEvent event;
        final java.util.concurrent.CompletableFuture<AuditRecord> done = new java.util.concurrent.CompletableFuture<>();

        Pending(AuditEvent event) {
            this.event = event;
        }
    }

    private final Object queueLock = new Object();
    private java.util.List<Pending> queue = new java.util.ArrayList<>();
    private Thread writer;
    private boolean closed;

    /**
     * Group commit: appends are queued for one writer thread (started with the first append,
     * a daemon), which writes every record queued so far in one positional write and one fsync,
     * then acknowledges them. Every record is on disk before its {@code append} returns; no
     * caller's thread is kept writing for others.
     */
    @Override
    public AuditRecord append(AuditEvent event) throws StoreException {
        Pending mine = new Pending(java.util.Objects.requireNonNull(event, "event"));
        synchronized (queueLock) {
            if (closed) {
                throw new StoreUnavailableException("the audit trail " + file + " was closed");
            }
            queue.add(mine);
            if (writer == null) {
                writer = Thread.ofPlatform().daemon().name("cvmfde-audit-writer").start(this::writeLoop);
            }
            queueLock.notifyAll();
        }
        try {
            return mine.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while the audit record was being written", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof StoreException se) {
                throw se;
            }
            throw new StoreUnavailableException("audit append failed: " + e.getCause(), e.getCause());
        }
    }

    private void writeLoop() {
        while (true) {
            java.util.List<Pending> batch;
            synchronized (queueLock) {
                while (queue.isEmpty() && !closed) {
                    try {
                        queueLock.wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (queue.isEmpty()) {
                    return;
                }
                batch = queue;
                queue = new java.util.ArrayList<>();
            }
            try {
                java.util.List<AuditRecord> written = writeBatch(batch);
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).done.complete(written.get(i));
                }
            } catch (StoreException | RuntimeException e) {
                batch.forEach(p -> p.done.completeExceptionally(e));
            }
        }
    }

    /** Appends {@code batch} in order under the writer lock: one write, one fsync. */
    private java.util.List<AuditRecord> writeBatch(java.util.List<Pending> batch) throws StoreException {
        return lock.with(() -> {
            try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")))) {
                long size = ch.size();
                AuditRecord last = size == knownSize ? knownLast : null;
                if (size != knownSize) {
                    size = recoverTail(ch);
                    last = lastRecord(ch, size);
                }
                java.util.List<AuditRecord> records = new java.util.ArrayList<>(batch.size());
                StringBuilder lines = new StringBuilder(batch.size() * 400);
                for (Pending p : batch) {
                    last = AuditLines.next(last, p.event);
                    records.add(last);
                    lines.append(AuditLines.line(last)).append('\n');
                }
                ByteBuffer buf = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
                long pos = size;
                knownSize = -1;
                while (buf.hasRemaining()) {
                    pos += ch.write(buf, pos);
                }
                ch.force(false);
                if (size == 0) {
                    fsyncDirectory();
                }
                knownSize = pos;
                knownLast = last;
                return records;
            }
        });
    }

    private void fsyncDirectory() {
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // a file system that cannot sync a directory: the file itself is synced
        }
    }

    /** Cuts an unterminated last line (a crash mid-append; never acknowledged); returns the new size. */
    private long recoverTail(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size == 0) {
            return 0;
        }
        long end = lastNewlineBefore(ch, size);
        if (end == size) {
            return size;
        }
        ch.truncate(end);
        ch.force(true);
        return end;
    }

    /** Position just after the last '\n' at or before {@code size}, scanning back at most one line; 0 if none. */
    private static long lastNewlineBefore(FileChannel ch, long size) throws IOException {
        int window = (int) Math.min(size, AuditLines.MAX_LINE_BYTES + 1L);
        ByteBuffer buf = ByteBuffer.allocate(window);
        long start = size - window;
        while (buf.hasRemaining()) {
            if (ch.read(buf, start + buf.position()) < 0) {
                break;
            }
        }
        byte[] b = buf.array();
        for (int i = window - 1; i >= 0; i--) {
            if (b[i] == '\n') {
                return start + i + 1;
            }
        }
        if (start > 0) {
            throw new IOException("the last line of " + "the audit trail is longer than MAX_LINE_BYTES");
        }
        return 0;
    }

    /** The record on the last (complete) line ending at {@code size}, or null for an empty trail. */
    private AuditRecord lastRecord(FileChannel ch, long size) throws IOException, StoreCorruptException {
        if (size == 0) {
            return null;
        }
        long start = lastNewlineBefore(ch, size - 1);
        ByteBuffer buf = ByteBuffer.allocate((int) (size - 1 - start));
        while (buf.hasRemaining()) {
            if (ch.read(buf, start + buf.position()) < 0) {
                break;
            }
        }
        try {
            return AuditLines.parse(new String(buf.array(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new StoreCorruptException("the last record of " + file + " is damaged (" + e.getMessage()
                    + "); nothing is appended to a broken trail: run 'attestation-client audit verify'");
        }
    }

    /** Complete lines of the trail in order; {@code tornTail} gets the bytes of an unterminated last line. */
    private interface LineSink {
        /** @return false to stop */
        boolean line(long number, String line);
    }

    /** Streams the file's complete lines; returns the length of an unterminated last line (0 if none), -1 if stopped. */
    private long scan(LineSink sink) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
            long number = 0;
            int c;
            while ((c = in.read()) >= 0) {
                if (c != '\n') {
                    if (line.size() > AuditLines.MAX_LINE_BYTES) {
                        throw new LineTooLong(number + 1);
                    }
                    line.write(c);
                    continue;
                }
                if (!sink.line(++number, line.toString(StandardCharsets.UTF_8))) {
                    return -1;
                }
                line.reset();
            }
            return line.size();
        }
    }

    private static final class LineTooLong extends IOException {
        final long line;

        LineTooLong(long line) {
            super("line " + line + " is longer than MAX_LINE_BYTES=" + AuditLines.MAX_LINE_BYTES);
            this.line = line;
        }
    }

    @Override
    public AuditVerification verify(AuditAnchor anchor) throws StoreException {
        AuditLines.Chain chain = new AuditLines.Chain(anchor);
        long torn;
        try {
            torn = scan((n, line) -> chain.accept(line));
        } catch (LineTooLong e) {
            return new AuditVerification.Broken(chain.verified(), e.line, e.getMessage());
        } catch (NoSuchFileException e) {
            // no file: no record, as for an empty one (the anchor must then be genesis)
            torn = 0;
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (chain.broken() != null) {
            return new AuditVerification.Broken(chain.verified(), chain.lines(), chain.broken());
        }
        if (chain.anchorMissing() != null) {
            return new AuditVerification.Broken(chain.verified(), anchor.seq(), chain.anchorMissing());
        }
        if (torn > 0) {
            return new AuditVerification.TornTail(chain.verified(), chain.headHash(), chain.lines() + 1,
                    "the last line (" + torn + " bytes) has no newline: an append cut short by a crash, never"
                            + " acknowledged; the next append removes it");
        }
        return new AuditVerification.Intact(chain.verified(), chain.headHash());
    }

    @Override
    public List<AuditRecord> tail(int max) throws StoreException {
        Deque<String> last = new ArrayDeque<>();
        try {
            scan((n, line) -> {
                last.addLast(line);
                if (last.size() > max) {
                    last.removeFirst();
                }
                return true;
            });
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<AuditRecord> out = new java.util.ArrayList<>();
        for (String line : last) {
            try {
                out.add(AuditLines.parse(line));
            } catch (IllegalArgumentException e) {
                throw new StoreCorruptException(file + ": a record does not parse (" + e.getMessage()
                        + "); run 'attestation-client audit verify'");
            }
        }
        return List.copyOf(out);
    }

    /** Stops the writer thread once the queued records are written; later appends fail. */
    @Override
    public void close() {
        Thread w;
        synchronized (queueLock) {
            closed = true;
            queueLock.notifyAll();
            w = writer;
        }
        if (w != null && w != Thread.currentThread()) {
            try {
                w.join(java.time.Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
