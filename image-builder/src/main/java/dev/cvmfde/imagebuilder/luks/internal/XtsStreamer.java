package dev.cvmfde.imagebuilder.luks.internal;

import dev.cvmfde.imagebuilder.luks.LuksException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * Streams a payload through AES-XTS (plain64 IVs in 512-byte units, as dm-crypt without
 * {@code iv_large_sectors}) into a file at a position, with bounded memory: two chunk buffers
 * of {@link #CHUNK_BYTES}. While one chunk is enciphered (split across {@link #THREADS}
 * threads), the previous one is written; reads go straight into the next buffer.
 */
public final class XtsStreamer implements AutoCloseable {

    /** Bytes per read/encrypt/write step; two such buffers are the whole working set. */
    public static final int CHUNK_BYTES = 2 * 1024 * 1024;
    /** Worker threads for the cipher: the build hosts this targets have two cores. */
    public static final int THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());

    private final int sectorSize;
    private final AesXts[] ciphers;
    private final ExecutorService pool;

    /** @param key the 64-byte volume key; copied into the cipher instances */
    public XtsStreamer(byte[] key, int sectorSize, boolean encrypt) {
        this.sectorSize = sectorSize;
        this.ciphers = new AesXts[THREADS];
        for (int i = 0; i < THREADS; i++) {
            ciphers[i] = new AesXts(key, sectorSize, encrypt);
        }
        this.pool = THREADS > 1 ? Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "luks-xts");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /**
     * Reads {@code inputBytes} from {@code in}, pads with zeros to {@code totalBytes} (whole
     * sectors), transforms and writes them at {@code position} in {@code out}. The first sector
     * gets IV 0.
     */
    public void run(ReadableByteChannel in, long inputBytes, long totalBytes, FileChannel out, long position,
                    LongConsumer progress) throws LuksException {
        byte[][] buffers = {new byte[CHUNK_BYTES], new byte[CHUNK_BYTES]};
        Future<?> pendingWrite = null;
        ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "luks-writer");
            t.setDaemon(true);
            return t;
        });
        try {
            long done = 0;
            int which = 0;
            while (done < totalBytes) {
                byte[] buf = buffers[which];
                int len = (int) Math.min(CHUNK_BYTES, totalBytes - done);
                int plain = (int) Math.max(0, Math.min(len, inputBytes - done));
                readFully(in, buf, plain, done, inputBytes);
                Arrays.fill(buf, plain, len, (byte) 0);
                transform(buf, len, done / 512);
                awaitWrite(pendingWrite, position);
                long at = position + done;
                pendingWrite = writer.submit(() -> {
                    HeaderImage.writeFully(out, ByteBuffer.wrap(buf, 0, len), at);
                    return null;
                });
                done += len;
                which ^= 1;
                if (progress != null) {
                    progress.accept(done);
                }
            }
            awaitWrite(pendingWrite, position);
        } finally {
            writer.shutdownNow();
            Arrays.fill(buffers[0], (byte) 0);
            Arrays.fill(buffers[1], (byte) 0);
        }
    }

    private void readFully(ReadableByteChannel in, byte[] buf, int count, long done, long inputBytes) throws LuksException {
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, count);
        try {
            while (bb.hasRemaining()) {
                if (in.read(bb) < 0) {
                    throw new LuksException(LuksException.Step.INPUT, "payload ended after " + (done + bb.position())
                            + " bytes; " + inputBytes + " were declared");
                }
            }
        } catch (IOException e) {
            throw new LuksException(LuksException.Step.INPUT, "cannot read the payload at byte " + (done + bb.position())
                    + ": " + e.getMessage(), e);
        }
    }

    private static void awaitWrite(Future<?> pending, long position) throws LuksException {
        if (pending == null) {
            return;
        }
        try {
            pending.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new LuksException(LuksException.Step.OUTPUT, "cannot write the encrypted payload (container at byte "
                    + position + "): " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LuksException(LuksException.Step.OUTPUT, "interrupted while writing the encrypted payload");
        }
    }

    /** Transforms {@code len} bytes of {@code buf}; the first byte is 512-byte sector {@code firstIv}. */
    public void transform(byte[] buf, int len, long firstIv) throws LuksException {
        long ivStep = sectorSize / 512;
        int sectors = len / sectorSize;
        if (pool == null || sectors < 2 * THREADS) {
            ciphers[0].process(buf, 0, buf, 0, len, firstIv, ivStep);
            return;
        }
        int perThread = Math.ceilDiv(sectors, THREADS);
        Future<?>[] parts = new Future<?>[THREADS];
        for (int t = 0; t < THREADS; t++) {
            int from = Math.min(sectors, t * perThread);
            int to = Math.min(sectors, from + perThread);
            AesXts c = ciphers[t];
            int off = from * sectorSize;
            int n = (to - from) * sectorSize;
            long iv = firstIv + from * ivStep;
            parts[t] = pool.submit(() -> c.process(buf, off, buf, off, n, iv, ivStep));
        }
        for (Future<?> f : parts) {
            try {
                f.get();
            } catch (ExecutionException | InterruptedException e) {
                throw new IllegalStateException("AES-XTS worker failed", e);
            }
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
        for (AesXts c : ciphers) {
            c.close();
        }
    }
}
