package dev.cvmfde.imagebuilder.luks.internal;

import dev.cvmfde.imagebuilder.luks.LuksException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * Streams a payload through AES-XTS (plain64 IVs in 512-byte units, as dm-crypt without
 * {@code iv_large_sectors}) into a file at a position, with bounded memory. {@link #WORKERS}
 * workers each own a {@link #CHUNK_BYTES} buffer and repeat: take the next chunk from the
 * (sequential) input under a lock, encipher it, write it at its own offset. So reading,
 * enciphering and writing overlap on every core, and memory is workers × chunk whatever the
 * payload size.
 */
public final class XtsStreamer implements AutoCloseable {

    /** Bytes a worker reads, enciphers and writes at a time. */
    public static final int CHUNK_BYTES = 1024 * 1024;
    /** One worker per core plus one, so a worker blocked in I/O leaves no core idle. */
    public static final int WORKERS = Integer.getInteger("cvmfde.luks.workers",
            Math.min(4, Runtime.getRuntime().availableProcessors() + 1));

    /**
     * Calls that get the XTS path, with the JDK's AES-ECB chain inlined, compiled by C2 before
     * the payload starts: the JDK's vector AES (VAES) intrinsic only applies inside C2 code,
     * and big batches alone reach C2's call-count thresholds only after gigabytes. The calls
     * have the payload's shape ({@link #WARMUP_UNIT}-byte units, {@link #WARMUP_BYTES} per call):
     * C2 compiles the loops for the trip counts it profiled, and a warm-up on one 16-byte unit
     * per call left code that ran at ~2.4 GB/s per CPU second instead of ~4.0 (measured in
     * {@code EncryptBench --cipher-only}, one thread).
     */
    static final int JIT_WARMUP_CALLS = 4_000;
    static final int WARMUP_UNIT = 512;
    static final int WARMUP_BYTES = 4096;
    private static volatile boolean warmedUp;

    private final int sectorSize;
    private final AesXts[] ciphers;
    private final Object inputLock = new Object();

    /** @param key the 64-byte volume key; copied into the cipher instances */
    public XtsStreamer(byte[] key, int sectorSize, boolean encrypt) {
        warmUp();
        this.sectorSize = sectorSize;
        this.ciphers = new AesXts[WORKERS];
        for (int i = 0; i < WORKERS; i++) {
            ciphers[i] = new AesXts(key, sectorSize, encrypt);
        }
    }

    /** Runs the XTS path on 16 MiB with a throwaway key, once per JVM (a few tens of ms). */
    private static void warmUp() {
        if (warmedUp) {
            return;
        }
        byte[] junkKey = new byte[64];
        junkKey[0] = 1;
        ByteBuffer block = ByteBuffer.allocateDirect(WARMUP_BYTES);
        try (AesXts xts = new AesXts(junkKey, WARMUP_UNIT, true)) {
            for (int i = 0; i < JIT_WARMUP_CALLS; i++) {
                xts.process(block, 0, WARMUP_BYTES, (long) i * (WARMUP_BYTES / WARMUP_UNIT), 1);
            }
        }
        warmedUp = true;
    }

    /** Shared state of one run: the input cursor and the progress total. */
    private static final class Run {
        final ReadableByteChannel in;
        final long inputBytes;
        final long totalBytes;
        final LongConsumer progress;
        long nextChunk;
        long completed;
        volatile boolean failed;

        Run(ReadableByteChannel in, long inputBytes, long totalBytes, LongConsumer progress) {
            this.in = in;
            this.inputBytes = inputBytes;
            this.totalBytes = totalBytes;
            this.progress = progress;
        }
    }

    /**
     * Reads {@code inputBytes} from {@code in}, pads with zeros to {@code totalBytes} (whole
     * sectors), transforms and writes them at {@code position} in {@code out}. The first sector
     * gets IV 0. {@code progress} (may be null) gets the bytes done so far, from worker threads.
     */
    public void run(ReadableByteChannel in, long inputBytes, long totalBytes, FileChannel out, long position,
                    LongConsumer progress) throws LuksException {
        Run run = new Run(in, inputBytes, totalBytes, progress);
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS, r -> {
            Thread t = new Thread(r, "luks-xts");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Void>> workers = new ArrayList<>();
            for (AesXts cipher : ciphers) {
                workers.add(pool.submit(() -> {
                    work(run, cipher, out, position);
                    return null;
                }));
            }
            LuksException first = null;
            for (Future<Void> f : workers) {
                LuksException e = outcome(f);
                if (first == null) {
                    first = e;
                }
            }
            if (first != null) {
                throw first;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void work(Run run, AesXts cipher, FileChannel out, long position) throws LuksException, IOException {
        // Direct: the channel reads and writes it without the JDK's temporary copy, and the
        // cipher moves 64 KiB batches in and out of it itself.
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK_BYTES);
        try {
            while (!run.failed) {
                long offset;
                int len;
                synchronized (inputLock) {
                    offset = run.nextChunk;
                    if (offset >= run.totalBytes) {
                        return;
                    }
                    len = (int) Math.min(CHUNK_BYTES, run.totalBytes - offset);
                    int plain = (int) Math.max(0, Math.min(len, run.inputBytes - offset));
                    readFully(run, buf, plain, offset);
                    buf.clear();
                    zero(buf, plain, len);
                    run.nextChunk = offset + len;
                }
                cipher.process(buf, 0, len, offset / 512, sectorSize / 512);
                HeaderImage.writeFully(out, buf.clear().limit(len), position + offset);
                if (run.progress != null) {
                    synchronized (run) {
                        run.completed += len;
                        run.progress.accept(run.completed);
                    }
                }
            }
        } catch (LuksException | IOException | RuntimeException e) {
            run.failed = true;
            throw e;
        } finally {
            zero(buf.clear(), 0, CHUNK_BYTES);
        }
    }

    private static final byte[] ZEROS = new byte[64 * 1024];

    private static void zero(ByteBuffer buf, int from, int to) {
        for (int at = from; at < to; at += ZEROS.length) {
            buf.put(at, ZEROS, 0, Math.min(ZEROS.length, to - at));
        }
    }

    private static void readFully(Run run, ByteBuffer buf, int count, long done) throws LuksException {
        ByteBuffer bb = buf.clear().limit(count);
        try {
            while (bb.hasRemaining()) {
                if (run.in.read(bb) < 0) {
                    throw new LuksException(LuksException.Step.INPUT, "payload ended after " + (done + bb.position())
                            + " bytes; " + run.inputBytes + " were declared");
                }
            }
        } catch (IOException e) {
            throw new LuksException(LuksException.Step.INPUT, "cannot read the payload at byte " + (done + bb.position())
                    + ": " + e.getMessage(), e);
        }
    }

    /** The worker's failure as a typed error, or null if it finished. */
    private static LuksException outcome(Future<Void> worker) {
        try {
            worker.get();
            return null;
        } catch (ExecutionException e) {
            return switch (e.getCause()) {
                case LuksException le -> le;
                case IOException io -> new LuksException(LuksException.Step.OUTPUT,
                        "cannot write the encrypted payload: " + io.getMessage(), io);
                case Throwable t -> new LuksException(LuksException.Step.OUTPUT,
                        "encrypting the payload failed: " + t, t);
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new LuksException(LuksException.Step.OUTPUT, "interrupted while encrypting the payload");
        }
    }

    @Override
    public void close() {
        for (AesXts c : ciphers) {
            c.close();
        }
    }
}
