package dev.cvmfde.agent;

import dev.cvmfde.agent.luks.LuksHeaderPin;
import dev.cvmfde.agent.luks.VolumeKeyFingerprint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Real LUKS2 files made by {@code cryptsetup luksFormat} (cheap PBKDF2 keyslots, a volume key
 * the test chose), their passphrases, and the {@link LuksHeaderPin} an image builder would
 * record for them.
 */
public final class LuksFixture {
    /** Smallest file LUKS2 accepts with its default 16 MiB header, plus a little data. */
    static final long FILE_BYTES = 20L << 20;
    public static final int SECTOR_SIZE = 512;

    public final Path file;
    public final String uuid;
    public final byte[] key;
    public final LuksHeaderPin pin;

    private LuksFixture(Path file, String uuid, byte[] key, LuksHeaderPin pin) {
        this.file = file;
        this.uuid = uuid;
        this.key = key;
        this.pin = pin;
    }

    public static LuksFixture format(Path file) throws IOException, InterruptedException {
        return format(file, UUID.randomUUID().toString(), null);
    }

    /** A volume with {@code uuid}, sealing {@code passphrase} (random when null) to a fresh volume key. */
    public static LuksFixture format(Path file, String uuid, byte[] passphrase) throws IOException, InterruptedException {
        SecureRandom random = new SecureRandom();
        byte[] key = passphrase != null ? passphrase.clone() : new byte[64];
        if (passphrase == null) {
            random.nextBytes(key);
        }
        byte[] volumeKey = new byte[64];
        random.nextBytes(volumeKey);
        Path keyFile = Files.createTempFile(file.getParent(), "test-key", ".bin");
        Path vkFile = Files.createTempFile(file.getParent(), "test-volume-key", ".bin");
        Files.write(keyFile, key);
        Files.setPosixFilePermissions(keyFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.write(vkFile, volumeKey);
        try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(FILE_BYTES);
        }
        run(List.of("cryptsetup", "luksFormat", "--type", "luks2", "--cipher", "aes-xts-plain64", "--key-size", "512",
                "--hash", "sha256", "--sector-size", String.valueOf(SECTOR_SIZE), "--pbkdf", "pbkdf2",
                "--pbkdf-force-iterations", "1000", "--uuid", uuid, "--batch-mode", "--key-file", keyFile.toString(),
                "--volume-key-file", vkFile.toString(), file.toString()));
        Files.delete(keyFile);
        Files.delete(vkFile);
        LuksHeaderPin pin = pinFor(VolumeKeyFingerprint.of(volumeKey));
        java.util.Arrays.fill(volumeKey, (byte) 0);
        return new LuksFixture(file, uuid, key, pin);
    }

    /** What {@link #format} writes (cryptsetup's layout for these options), with {@code fingerprint}. */
    public static LuksHeaderPin pinFor(byte[] fingerprint) {
        return new LuksHeaderPin(16384, "aes-xts-plain64", 16L << 20, SECTOR_SIZE, 64, "aes-xts-plain64", "sha256",
                Map.of("type", "pbkdf2", "hash", "sha256", "iterations", "1000"), fingerprint);
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
