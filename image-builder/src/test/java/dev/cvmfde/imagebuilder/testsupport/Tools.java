package dev.cvmfde.imagebuilder.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Runs the real external tools the tests check against; a missing tool fails the test clearly. */
public final class Tools {

    private Tools() {}

    public record Result(int exit, String out) {}

    /** Runs {@code cmd}, returning exit code and merged output; fails if the tool is not installed. */
    public static Result run(String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            fail("external tool '" + cmd[0] + "' is needed by this test and is not installed (" + e.getMessage()
                    + "); install it (Debian: qemu-utils, gdisk)");
            throw e;
        }
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " timed out");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Runs {@code cmd} and fails the test unless it exits 0. */
    public static String ok(String... cmd) throws IOException, InterruptedException {
        Result r = run(cmd);
        if (r.exit() != 0) {
            fail(String.join(" ", cmd) + " exited " + r.exit() + ":\n" + r.out());
        }
        return r.out();
    }

    public static String sha256(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(4 << 20);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                while (ch.read(buf.clear()) > 0) {
                    md.update(buf.flip());
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Makes a sparse raw disk of {@code size} bytes with pseudo-random data in a few places,
     * including an unaligned run and the very last sector, so holes and edges are exercised.
     */
    public static Path sparseRaw(Path dir, String name, long size, long seed) throws IOException {
        Path p = dir.resolve(name);
        Random r = new Random(seed);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            List<long[]> runs = new ArrayList<>();
            runs.add(new long[] {0, 1 << 20});
            runs.add(new long[] {size / 3 + 4097, 3 * 65536 + 123});
            runs.add(new long[] {size / 2, 2 << 20});
            runs.add(new long[] {size - 512, 512});
            for (long[] run : runs) {
                byte[] b = new byte[(int) run[1]];
                r.nextBytes(b);
                // a zero cluster inside data: writers must skip it, readers must return zeros
                if (b.length > 3 * 65536) {
                    java.util.Arrays.fill(b, 65536, 2 * 65536, (byte) 0);
                }
                ByteBuffer bb = ByteBuffer.wrap(b);
                long pos = run[0];
                while (bb.hasRemaining()) {
                    pos += ch.write(bb, pos);
                }
            }
        }
        return p;
    }

    /** Lists the file names in {@code dir}. */
    public static List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        }
    }
}
