package dev.cvmfde.imagebuilder.luks.internal;

import dev.cvmfde.imagebuilder.luks.LuksContainer;
import dev.cvmfde.imagebuilder.luks.LuksException;
import dev.cvmfde.imagebuilder.luks.LuksOptions;
import dev.cvmfde.protocol.secret.KeyFile;
import dev.cvmfde.protocol.secret.KeyFileException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Driver for {@code bench/encrypt-throughput}: encrypts a plain image file into a new LUKS2 (or
 * LUKS1 with {@code --luks1}) file with the random-key KDF and prints the payload throughput.
 * Usage: {@code EncryptBench KEY_FILE INPUT OUTPUT [--luks1]}. Not the product CLI.
 */
public final class EncryptBench {

    private static final long PROGRESS_STEP = 256L * 1024 * 1024;

    private EncryptBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--cipher-only")) {
            cipherOnly(Long.parseLong(args[1]) << 20);
            return;
        }
        if (args.length < 3) {
            System.err.println("usage: EncryptBench KEY_FILE INPUT OUTPUT [--luks1] | EncryptBench --cipher-only MIB");
            System.exit(2);
        }
        boolean luks1 = args.length > 3 && args[3].equals("--luks1");
        Path input = Path.of(args[1]);
        LuksOptions options = luks1 ? LuksOptions.luks1() : LuksOptions.luks2();
        long size = Files.size(input);
        long payload = options.roundUpToSector(size);
        long start = System.nanoTime();
        try (KeyFile key = KeyFile.read(Path.of(args[0]));
             LuksContainer luks = LuksContainer.create(options, key.passphrase(), new SecureRandom());
             FileChannel in = FileChannel.open(input)) {
            long[] mark = {System.nanoTime(), 0};
            luks.writeNewFile(Path.of(args[2]), in, size, payload, !Boolean.getBoolean("bench.progress") ? null : done -> {
                if (done - mark[1] >= PROGRESS_STEP || done == payload) {
                    long t = System.nanoTime();
                    System.err.printf("  %5d MiB  %.1f MB/s%n", done >> 20, (done - mark[1]) / 1e6 / ((t - mark[0]) / 1e9));
                    mark[0] = t;
                    mark[1] = done;
                }
            });
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("bytes=%d seconds=%.3f MB/s=%.1f%n", size, seconds, size / 1e6 / seconds);
    }

    /**
     * The XTS cipher alone, in memory, on {@link XtsStreamer#WORKERS} threads over 1 MiB
     * buffers of 512-byte sectors (after the streamer's JIT warm-up): the figure to hold
     * against {@code openssl speed}, which measures no I/O either. Prints wall-clock MB/s and MB
     * per second of the workers' own CPU time (what {@code openssl speed} reports without
     * {@code -elapsed}; a neighbour taking a core does not change it).
     */
    private static void cipherOnly(long totalBytes) throws Exception {
        byte[] key = new byte[LuksOptions.VOLUME_KEY_BYTES];
        new SecureRandom().nextBytes(key);
        new XtsStreamer(key, 512, true).close();
        int threads = XtsStreamer.WORKERS;
        long perThread = totalBytes / threads / XtsStreamer.CHUNK_BYTES;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        AtomicLong cpuNanos = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Callable<Void>> jobs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            jobs.add(() -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(XtsStreamer.CHUNK_BYTES);
                long c0 = mx.getCurrentThreadCpuTime();
                try (AesXts xts = new AesXts(key, 512, true)) {
                    for (long i = 0; i < perThread; i++) {
                        xts.process(buf, 0, buf.capacity(), i * (buf.capacity() / 512), 1);
                    }
                }
                cpuNanos.addAndGet(mx.getCurrentThreadCpuTime() - c0);
                return null;
            });
        }
        long start = System.nanoTime();
        for (var f : pool.invokeAll(jobs)) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        Arrays.fill(key, (byte) 0);
        long bytes = perThread * threads * XtsStreamer.CHUNK_BYTES;
        System.out.printf("cipher-only threads=%d bytes=%d seconds=%.3f wall_MB/s=%.1f cpu_seconds=%.3f cpu_MB/s=%.1f%n",
                threads, bytes, seconds, bytes / 1e6 / seconds, cpuNanos.get() / 1e9, bytes / 1e6 / (cpuNanos.get() / 1e9));
    }
}
