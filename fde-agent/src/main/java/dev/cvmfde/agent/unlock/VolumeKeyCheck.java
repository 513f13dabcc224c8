package dev.cvmfde.agent.unlock;

import dev.cvmfde.agent.luks.LuksHeaderPin;
import dev.cvmfde.agent.luks.VolumeKeyFingerprint;
import dev.cvmfde.agent.unlock.internal.KeyPipe;
import dev.cvmfde.agent.unlock.internal.SecretOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Checks that the volume key behind a released passphrase is the one the image builder wrote
 * ({@link LuksHeaderPin#volumeKeyFingerprint()}), compared in constant time:
 * <ul>
 *   <li>{@link #dump}: no device-mapper (a host run): {@code cryptsetup luksDump --dump-volume-key}
 *       against the validated header copy, the passphrase on a pipe; this also is the passphrase
 *       check (a wrong one: status 2, as {@code open} would say);</li>
 *   <li>{@link #mapped}: after {@code cryptsetup open}: the key, cipher, IV offset, payload offset
 *       and sector size device-mapper actually uses ({@code dmsetup table --showkeys NAME}).</li>
 * </ul>
 * The key read from either command exists only in a native buffer (zeroed) and one array
 * (zeroed after hashing); neither command's output is ever logged.
 */
public final class VolumeKeyCheck {
    /** Most output read from either command (luksDump prints ~600 bytes for a 512-bit key). */
    public static final int MAX_OUTPUT_BYTES = 16 * 1024;
    public static final List<String> DUMP_COMMAND =
            List.of("cryptsetup", "luksDump", "--dump-volume-key", "--batch-mode", "--key-file=-", "{header}");
    public static final List<String> TABLE_COMMAND = List.of("dmsetup", "table", "--showkeys", "{name}");
    private static final byte[] MK_DUMP = "MK dump:".getBytes(StandardCharsets.US_ASCII);
    /** cryptsetup 2.7 and later print "Volume key:" where 2.6 printed "MK dump:". */
    private static final byte[] VOLUME_KEY_DUMP = "Volume key:".getBytes(StandardCharsets.US_ASCII);

    private final Duration timeout;

    public VolumeKeyCheck(Duration timeout) {
        this.timeout = timeout;
    }

    /** {@code luksDump --dump-volume-key} of {@code header} with {@code passphrase}; the key checked against {@code pin}. */
    public UnlockResult dump(Path header, byte[] passphrase, LuksHeaderPin pin) throws IOException, InterruptedException {
        List<String> argv = DUMP_COMMAND.stream().map(a -> a.replace("{header}", header.toString())).toList();
        Run run = run(argv, passphrase);
        try {
            if (run.status != 0) {
                return new UnlockResult.Refused(run.status, run.error);
            }
            int at = indexOf(run.output, MK_DUMP);
            int label = MK_DUMP.length;
            if (at < 0) {
                at = indexOf(run.output, VOLUME_KEY_DUMP);
                label = VOLUME_KEY_DUMP.length;
            }
            if (at < 0) {
                return new UnlockResult.VolumeRefused("volume key", "cryptsetup luksDump printed no 'MK dump:' nor"
                        + " 'Volume key:'");
            }
            return verify(hexPairs(run.output, at + label), pin, "luksDump --dump-volume-key");
        } finally {
            Arrays.fill(run.output, (byte) 0);
        }
    }

    /** The table of the mapping {@code name} checked against {@code pin}. */
    public UnlockResult mapped(String name, LuksHeaderPin pin) throws IOException, InterruptedException {
        List<String> argv = TABLE_COMMAND.stream().map(a -> a.replace("{name}", name)).toList();
        Run run = run(argv, null);
        try {
            if (run.status != 0) {
                return new UnlockResult.VolumeRefused("mapping", "dmsetup table " + name + " failed (status " + run.status
                        + "): " + run.error);
            }
            return checkTable(run.output, pin);
        } finally {
            Arrays.fill(run.output, (byte) 0);
        }
    }

    /** One dm-crypt line: {@code start length crypt cipher key iv_offset device offset [n opt…]}. */
    static UnlockResult checkTable(byte[] table, LuksHeaderPin pin) {
        List<int[]> fields = new ArrayList<>();
        int lines = 0;
        for (int i = 0; i < table.length; ) {
            while (i < table.length && (table[i] == ' ' || table[i] == '\t')) {
                i++;
            }
            if (i < table.length && table[i] == '\n') {
                lines++;
                i++;
                continue;
            }
            int start = i;
            while (i < table.length && table[i] != ' ' && table[i] != '\t' && table[i] != '\n') {
                i++;
            }
            if (i > start) {
                if (lines > 0) {
                    return new UnlockResult.VolumeRefused("mapping", "the table has more than one target line");
                }
                fields.add(new int[] {start, i});
            }
        }
        if (fields.size() < 8 || !field(table, fields, 2).equals("crypt")) {
            return new UnlockResult.VolumeRefused("mapping", "not a single dm-crypt target (" + fields.size() + " fields)");
        }
        String cipher = field(table, fields, 3);
        if (!cipher.equals(pin.segmentEncryption())) {
            return new UnlockResult.VolumeRefused("mapping.cipher", "expected " + pin.segmentEncryption() + ", found " + cipher);
        }
        if (!field(table, fields, 5).equals("0")) {
            return new UnlockResult.VolumeRefused("mapping.iv_offset", "expected 0, found " + field(table, fields, 5));
        }
        String offset = field(table, fields, 7);
        if (!offset.equals(String.valueOf(pin.segmentOffset() / 512))) {
            return new UnlockResult.VolumeRefused("mapping.offset", "expected " + pin.segmentOffset() / 512
                    + " sectors, found " + offset);
        }
        String sector = "sector_size:" + pin.sectorSize();
        boolean hasSector = false;
        for (int f = 8; f < fields.size(); f++) {
            String opt = field(table, fields, f);
            if (opt.startsWith("integrity:") || (opt.startsWith("sector_size:") && !opt.equals(sector))) {
                return new UnlockResult.VolumeRefused("mapping.options", "unexpected option " + opt);
            }
            hasSector |= opt.equals(sector);
        }
        if (pin.sectorSize() != 512 && !hasSector) {
            return new UnlockResult.VolumeRefused("mapping.sector_size", "expected " + pin.sectorSize() + ", found 512");
        }
        int[] key = fields.get(4);
        if (table[key[0]] == ':') {
            return new UnlockResult.VolumeRefused("mapping.key", "the key is in the kernel keyring, not in the table;"
                    + " the unlock command must pass --disable-keyring");
        }
        return verify(hexRun(table, key[0], key[1]), pin, "the device-mapper table");
    }

    private static UnlockResult verify(byte[] key, LuksHeaderPin pin, String source) {
        try {
            if (key.length != pin.keyBytes()) {
                return new UnlockResult.VolumeRefused("volume key", "expected a " + pin.keyBytes() + "-byte key, "
                        + source + " gave " + key.length + " bytes");
            }
            if (!VolumeKeyFingerprint.matches(key, pin.volumeKeyFingerprint())) {
                return new UnlockResult.VolumeRefused("volume key", "its fingerprint (" + VolumeKeyFingerprint.CONTEXT
                        + ") is not the recorded " + pin.fingerprintHex().substring(0, 16) + "…: this volume was not"
                        + " written by the image builder for this initramfs");
            }
            return new UnlockResult.Opened("volume key matches the recorded fingerprint (" + source + ")");
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private record Run(int status, byte[] output, String error) {
    }

    private Run run(List<String> argv, byte[] stdin) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        Process process;
        SecretOutput out = SecretOutput.open();
        try {
            pb.redirectOutput(out.writeEnd());
            if (stdin != null) {
                try (KeyPipe pipe = KeyPipe.holding(stdin)) {
                    process = pb.redirectInput(pipe.readEnd()).start();
                }
            } else {
                process = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            }
        } catch (IOException e) {
            out.close();
            return new Run(127, new byte[0], "cannot run " + argv.getFirst() + ": " + e.getMessage());
        } finally {
            out.closeWriteEnd();
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errReader = Thread.ofPlatform().daemon().name("key-check-stderr")
                .start(() -> drain(process.getErrorStream(), err));
        AtomicReference<byte[]> read = new AtomicReference<>(new byte[0]);
        SecretOutput reading = out;
        Thread outReader = Thread.ofPlatform().daemon().name("key-check-stdout").start(() -> {
            try {
                read.set(reading.readAll(MAX_OUTPUT_BYTES));
            } catch (IOException e) {
                // the status says what happened
            }
        });
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                outReader.join(Duration.ofSeconds(2));
                Arrays.fill(read.get(), (byte) 0);
                return new Run(UnlockCommand.TIMED_OUT, new byte[0], argv.getFirst() + " did not finish within "
                        + timeout.toSeconds() + " s");
            }
            outReader.join(Duration.ofSeconds(5));
            errReader.join(Duration.ofSeconds(2));
        } finally {
            out.close();
        }
        String text;
        synchronized (err) {
            text = err.toString(StandardCharsets.UTF_8);
        }
        int status = process.exitValue();
        String last = UnlockCommand.lastLine(text);
        return new Run(status, read.get(), last.isEmpty() ? argv.getFirst() + " exited with status " + status : last);
    }

    private static void drain(java.io.InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[1024];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (out) {
                    int room = UnlockCommand.MAX_OUTPUT_BYTES - out.size();
                    if (room > 0) {
                        out.write(buf, 0, Math.min(room, n));
                    }
                }
            }
        } catch (IOException e) {
            // the process ended; what was read is kept
        }
    }

    private static String field(byte[] b, List<int[]> fields, int i) {
        int[] f = fields.get(i);
        return new String(b, f[0], f[1] - f[0], StandardCharsets.US_ASCII);
    }

    /** Hex pairs separated by white space from {@code from} until the first other token (luksDump's layout). */
    static byte[] hexPairs(byte[] b, int from) {
        byte[] out = new byte[(b.length - from) / 2 + 1];
        int n = 0;
        int i = from;
        try {
            while (i < b.length) {
                if (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
                    i++;
                    continue;
                }
                int hi = i + 1 < b.length ? Character.digit(b[i], 16) : -1;
                int lo = hi >= 0 ? Character.digit(b[i + 1], 16) : -1;
                boolean endsThere = i + 2 >= b.length || b[i + 2] == ' ' || b[i + 2] == '\t' || b[i + 2] == '\n' || b[i + 2] == '\r';
                if (hi < 0 || lo < 0 || !endsThere) {
                    break;
                }
                out[n++] = (byte) ((hi << 4) | lo);
                i += 2;
            }
            return Arrays.copyOf(out, n);
        } finally {
            Arrays.fill(out, (byte) 0);
        }
    }

    /** A run of hex digits {@code [from, to)} as bytes (odd length or another character: empty). */
    static byte[] hexRun(byte[] b, int from, int to) {
        if ((to - from) % 2 != 0) {
            return new byte[0];
        }
        byte[] out = new byte[(to - from) / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(b[from + 2 * i], 16);
            int lo = Character.digit(b[from + 2 * i + 1], 16);
            if (hi < 0 || lo < 0) {
                Arrays.fill(out, (byte) 0);
                return new byte[0];
            }
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
