package dev.cvmfde.imagebuilder.luks;

import static dev.cvmfde.imagebuilder.luks.ExternalTool.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cvmfde.protocol.secret.KeyFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad inputs: a typed error naming the step, input untouched, nothing left behind. */
class LuksErrorsTest {

    @TempDir
    Path dir;

    @Test
    void options_luks1WithArgon2id_refused() {
        assertThrows(IllegalArgumentException.class,
                () -> LuksOptions.luks1().withKdf(new KdfSpec.Argon2id(4, 1024, 1)));
    }

    @Test
    void options_badSectorSizeOrTinyHeaderOrLongLabel_refused() {
        assertThrows(IllegalArgumentException.class, () -> LuksOptions.luks2().withSectorSize(1024));
        assertThrows(IllegalArgumentException.class, () -> LuksOptions.luks2().withDataOffset(256 * 1024));
        assertThrows(IllegalArgumentException.class, () -> LuksOptions.luks2().withDataOffset(4 * 1024 * 1024 + 512));
        assertThrows(IllegalArgumentException.class, () -> LuksOptions.luks2().withDataOffset(200L * 1024 * 1024));
        assertThrows(IllegalArgumentException.class, () -> LuksOptions.luks2().withLabel("x".repeat(48)));
        assertThrows(IllegalArgumentException.class, () -> LuksOptions.luks1().withSectorSize(4096));
    }

    @Test
    void kdfSpec_belowCryptsetupMinimums_refused() {
        assertThrows(IllegalArgumentException.class, () -> new KdfSpec.Pbkdf2(HashAlgorithm.SHA256, 999));
        assertThrows(IllegalArgumentException.class, () -> new KdfSpec.Argon2id(3, 65536, 1));
        assertThrows(IllegalArgumentException.class, () -> new KdfSpec.Argon2id(4, 16, 1));
        assertThrows(IllegalArgumentException.class, () -> new KdfSpec.Argon2id(4, 65536, 5));
    }

    @Test
    void writeNewFile_payloadNotSectorAligned_layoutErrorAndNoOutput() throws Exception {
        Path key = LuksTestFiles.rawKey(dir, "k");
        Path plain = LuksTestFiles.randomFile(dir, "plain", 1000, 1);
        Path out = dir.resolve("out.img");
        LuksException e = assertThrows(LuksException.class, () -> write(LuksOptions.luks2(), key, plain, 1000, 1000, out));
        assertEquals(LuksException.Step.LAYOUT, e.step());
        assertNothingBesides(key, plain);
    }

    @Test
    void writeNewFile_plaintextShorterThanDeclared_inputErrorNoOutputInputUnchanged() throws Exception {
        Path key = LuksTestFiles.rawKey(dir, "k");
        Path plain = LuksTestFiles.randomFile(dir, "plain", 4096, 2);
        byte[] before = Files.readAllBytes(plain);
        Path out = dir.resolve("out.img");
        LuksException e = assertThrows(LuksException.class,
                () -> write(LuksOptions.luks2().withDataOffset(LuksOptions.WHOLE_DISK_DATA_OFFSET), key, plain, 8192, 8192, out));
        assertEquals(LuksException.Step.INPUT, e.step());
        assertNothingBesides(key, plain);
        assertArrayEquals(before, Files.readAllBytes(plain));
    }

    @Test
    void writeNewFile_outputDirectoryMissing_outputError() throws Exception {
        Path key = LuksTestFiles.rawKey(dir, "k");
        Path plain = LuksTestFiles.randomFile(dir, "plain", 4096, 3);
        Path out = dir.resolve("plain").resolve("out.img");
        LuksException e = assertThrows(LuksException.class, () -> write(LuksOptions.luks2(), key, plain, 4096, 4096, out));
        assertEquals(LuksException.Step.OUTPUT, e.step());
        assertNothingBesides(key, plain);
    }

    @Test
    void writeNewFile_diskFull_outputErrorAndNothingLeftOnTheFilesystem() throws Exception {
        Path small = Files.createDirectories(dir.resolve("small"));
        ExternalTool.Result mount = run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", small.toString());
        if (mount.exitCode() != 0) {
            fail("this test needs root to mount an 8 MiB tmpfs (mount -t tmpfs -o size=8m): " + mount.output());
        }
        try {
            Path key = LuksTestFiles.rawKey(dir, "k");
            Path plain = LuksTestFiles.randomFile(dir, "plain", 6 * 1024 * 1024, 4);
            Path out = small.resolve("enc.img");
            LuksException e = assertThrows(LuksException.class,
                    () -> write(LuksOptions.luks2().withDataOffset(LuksOptions.WHOLE_DISK_DATA_OFFSET), key, plain,
                            Files.size(plain), Files.size(plain), out));
            assertEquals(LuksException.Step.OUTPUT, e.step());
            try (Stream<Path> left = Files.list(small)) {
                assertEquals(List.of(), left.toList(), "files left on the full filesystem");
            }
        } finally {
            run("umount", small.toString());
        }
    }

    @Test
    void errorsAndToString_neverContainKeyMaterial() throws Exception {
        Path key = LuksTestFiles.rawKey(dir, "k");
        byte[] keyBytes = Files.readAllBytes(key);
        String hex = HexFormat.of().formatHex(keyBytes);
        String b64 = java.util.Base64.getEncoder().encodeToString(keyBytes);
        try (KeyFile k = KeyFile.read(key);
             LuksContainer luks = LuksContainer.create(LuksOptions.luks2(), k.passphrase(), new SecureRandom())) {
            assertFalse(luks.toString().contains(hex) || luks.toString().contains(b64));
            LuksException e = assertThrows(LuksException.class, () -> luks.writeNewFile(dir.resolve("none/x"),
                    java.nio.channels.Channels.newChannel(java.io.InputStream.nullInputStream()), 0, 512, null));
            assertFalse(e.getMessage().contains(hex) || e.getMessage().contains(b64));
        }
    }

    @Test
    void close_afterUse_zeroizesVolumeKey() throws Exception {
        Path key = LuksTestFiles.rawKey(dir, "k");
        LuksContainer luks;
        try (KeyFile k = KeyFile.read(key)) {
            luks = LuksContainer.create(LuksOptions.luks2(), k.passphrase(), new SecureRandom());
        }
        luks.close();
        try (FileChannel out = FileChannel.open(dir.resolve("out"), java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            assertThrows(IllegalStateException.class, () -> luks.encryptPayload(
                    java.nio.channels.Channels.newChannel(java.io.InputStream.nullInputStream()), 0, 512, out, 0, null));
        }
    }

    private static void write(LuksOptions options, Path key, Path plain, long plainBytes, long payloadBytes, Path out)
            throws Exception {
        try (KeyFile k = KeyFile.read(key);
             LuksContainer luks = LuksContainer.create(options, k.passphrase(), new SecureRandom());
             FileChannel in = FileChannel.open(plain)) {
            luks.writeNewFile(out, in, plainBytes, payloadBytes, null);
        }
    }

    private void assertNothingBesides(Path... expected) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(java.util.Set.of(expected), java.util.Set.copyOf(files.toList()), "unexpected files left in " + dir);
        }
    }
}
