package dev.cvmfde.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Real LUKS2 files made by {@code cryptsetup luksFormat} (cheap PBKDF2 keyslots), and their keys. */
public final class LuksFixture {
    /** Smallest file LUKS2 accepts with its default 16 MiB header, plus a little data. */
    static final long FILE_BYTES = 20L << 20;

    public final Path file;
    public final String uuid;
    public final byte[] key;

    private LuksFixture(Path file, String uuid, byte[] key) {
        this.file = file;
        this.uuid = uuid;
        this.key = key;
    }

    public static LuksFixture format(Path file) throws IOException, InterruptedException {
        String uuid = UUID.randomUUID().toString();
        byte[] key = new byte[64];
        new SecureRandom().nextBytes(key);
        Path keyFile = Files.createTempFile(file.getParent(), "test-key", ".bin");
        Files.write(keyFile, key);
        Files.setPosixFilePermissions(keyFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(FILE_BYTES);
        }
        run(List.of("cryptsetup", "luksFormat", "--type", "luks2", "--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000",
                "--uuid", uuid, "--batch-mode", "--key-file", keyFile.toString(), file.toString()));
        Files.delete(keyFile);
        return new LuksFixture(file, uuid, key);
    }

    static void run(List<String> argv) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run " + argv.getFirst() + " (Debian package cryptsetup-bin is required by this test): "
                    + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(argv + " failed: " + out);
        }
    }
}
