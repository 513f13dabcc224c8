package dev.cvmfde.imagebuilder.luks;

import static dev.cvmfde.imagebuilder.luks.ExternalTool.dumpVolumeKey;
import static dev.cvmfde.imagebuilder.luks.ExternalTool.ok;
import static dev.cvmfde.imagebuilder.luks.ExternalTool.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cryptsetup itself judges the LUKS2 containers we write. */
class Luks2CryptsetupTest {

    @TempDir
    Path dir;

    @Test
    void writeNewFile_defaultPbkdf2_cryptsetupOpensAndKeyDecryptsPayload() throws Exception {
        Path key = LuksTestFiles.rawKey(dir, "root.key");
        Path plain = LuksTestFiles.randomFile(dir, "plain.img", 3 * 1024 * 1024 + 4096, 1);
        LuksOptions options = LuksOptions.luks2();
        Path out = LuksTestFiles.encrypt(options, key, plain, dir.resolve("enc.img"));

        String dump = ok("cryptsetup", "luksDump", out.toString());
        assertTrue(dump.matches("(?s).*Version:\\s+2\\b.*"), dump);
        assertTrue(dump.contains("cipher: aes-xts-plain64"), dump);
        assertTrue(dump.matches("(?s).*Key:\\s+512 bits.*"), dump);
        assertTrue(dump.matches("(?s).*PBKDF:\\s+pbkdf2.*Hash:\\s+sha512.*Iterations:\\s+1000\\b.*"), dump);
        assertTrue(dump.matches("(?s).*offset: 16777216 \\[bytes].*"), dump);
        assertEquals(16L * 1024 * 1024 + Files.size(plain), Files.size(out));

        assertEquals(0, run("cryptsetup", "open", "--test-passphrase", "--key-file", key.toString(), out.toString()).exitCode());
        Path other = LuksTestFiles.rawKey(dir, "other.key");
        assertNotEquals(0, run("cryptsetup", "open", "--test-passphrase", "--key-file", other.toString(), out.toString()).exitCode());

        byte[] volumeKey = dumpVolumeKey(out, key);
        byte[] decrypted = LuksTestFiles.decryptWithReference(out, volumeKey, options, (int) Files.size(plain));
        assertArrayEquals(Files.readAllBytes(plain), decrypted);
    }

    @Test
    void writeNewFile_argon2id_cryptsetupShowsArgon2idAndOpens() throws Exception {
        Path key = LuksTestFiles.rawKey(dir, "pass.key");
        Path plain = LuksTestFiles.randomFile(dir, "plain.img", 64 * 1024, 2);
        LuksOptions options = LuksOptions.luks2().withKdf(new KdfSpec.Argon2id(4, 32 * 1024, 2));
        Path out = LuksTestFiles.encrypt(options, key, plain, dir.resolve("enc.img"));

        String dump = ok("cryptsetup", "luksDump", out.toString());
        assertTrue(dump.matches("(?s).*PBKDF:\\s+argon2id.*Time cost:\\s+4.*Memory:\\s+32768.*Threads:\\s+2.*"), dump);
        assertTrue(dump.matches("(?s).*Key:\\s+512 bits.*"), dump);
        assertEquals(0, run("cryptsetup", "open", "--test-passphrase", "--key-file", key.toString(), out.toString()).exitCode());
        Path other = LuksTestFiles.rawKey(dir, "other.key");
        assertNotEquals(0, run("cryptsetup", "open", "--test-passphrase", "--key-file", other.toString(), out.toString()).exitCode());
        byte[] decrypted = LuksTestFiles.decryptWithReference(out, dumpVolumeKey(out, key), options, 64 * 1024);
        assertArrayEquals(Files.readAllBytes(plain), decrypted);
    }

    @Test
    void writeNewFile_wholeDiskHeader4MiBSector4096_cryptsetupAcceptsLayout() throws Exception {
        Path key = LuksTestFiles.dekKey(dir, "secret.dek");
        Path plain = LuksTestFiles.randomFile(dir, "plain.img", 1024 * 1024, 3);
        UUID uuid = UUID.fromString("0b6f6a38-3f38-4d5c-9d7e-5a3c1f2e4d6b");
        LuksOptions options = LuksOptions.luks2().withDataOffset(LuksOptions.WHOLE_DISK_DATA_OFFSET)
                .withSectorSize(4096).withLabel("cvm-root").withUuid(uuid);
        Path out = LuksTestFiles.encrypt(options, key, plain, dir.resolve("enc.raw"));

        String dump = ok("cryptsetup", "luksDump", out.toString());
        assertTrue(dump.contains("offset: 4194304 [bytes]"), dump);
        assertTrue(dump.contains("sector: 4096 [bytes]"), dump);
        assertTrue(dump.matches("(?s).*Keyslots area:\\s+4161536 \\[bytes].*"), dump);
        assertTrue(dump.matches("(?s).*Label:\\s+cvm-root.*"), dump);
        assertTrue(dump.contains(uuid.toString()), dump);
        assertEquals(4L * 1024 * 1024 + 1024 * 1024, Files.size(out));
        assertEquals(0, run("cryptsetup", "open", "--test-passphrase", "--key-file", key.toString(), out.toString()).exitCode());
        byte[] decrypted = LuksTestFiles.decryptWithReference(out, dumpVolumeKey(out, key), options, 1024 * 1024);
        assertArrayEquals(Files.readAllBytes(plain), decrypted);
    }

    @Test
    void writeNewFile_primaryHeaderDestroyed_cryptsetupOpensWithSecondaryCopy() throws Exception {
        Path key = LuksTestFiles.rawKey(dir, "root.key");
        Path plain = LuksTestFiles.randomFile(dir, "plain.img", 8192, 4);
        Path out = LuksTestFiles.encrypt(LuksOptions.luks2().withDataOffset(LuksOptions.WHOLE_DISK_DATA_OFFSET),
                key, plain, dir.resolve("enc.img"));
        Path damaged = Files.copy(out, dir.resolve("damaged.img"));
        byte[] bytes = Files.readAllBytes(damaged);
        Arrays.fill(bytes, 4096, 4096 + 64, (byte) ' ');
        Files.write(damaged, bytes);
        assertEquals(0, run("cryptsetup", "open", "--test-passphrase", "--key-file", key.toString(),
                damaged.toString()).exitCode());
    }

    @Test
    void writeTo_existingFileAtOffset_containerInsideOpensAndSurroundingsUntouched() throws Exception {
        Path key = LuksTestFiles.rawKey(dir, "root.key");
        int before = 1024 * 1024;
        int payload = 512 * 1024;
        int after = 64 * 1024;
        LuksOptions options = LuksOptions.luks2().withDataOffset(LuksOptions.WHOLE_DISK_DATA_OFFSET);
        byte[] disk = new byte[(int) (before + options.dataOffset() + payload + after)];
        Arrays.fill(disk, (byte) 0x5a);
        Path image = Files.write(dir.resolve("disk.img"), disk);
        Path plain = LuksTestFiles.randomFile(dir, "part.img", payload, 5);

        try (var k = dev.cvmfde.protocol.secret.KeyFile.read(key);
             LuksContainer luks = LuksContainer.create(options, k.passphrase(), new java.security.SecureRandom());
             var in = java.nio.channels.FileChannel.open(plain);
             var outCh = java.nio.channels.FileChannel.open(image, java.nio.file.StandardOpenOption.WRITE)) {
            luks.writeTo(outCh, before, in, payload, payload, null);
        }
        byte[] written = Files.readAllBytes(image);
        int end = (int) (before + options.dataOffset() + payload);
        assertTrue(allEqual(written, 0, before, (byte) 0x5a), "bytes before the container changed");
        assertTrue(allEqual(written, end, written.length, (byte) 0x5a), "bytes after the container changed");
        Path extracted = Files.write(dir.resolve("extracted.img"), Arrays.copyOfRange(written, before, end));
        assertEquals(0, run("cryptsetup", "open", "--test-passphrase", "--key-file", key.toString(), extracted.toString()).exitCode());
        assertArrayEquals(Files.readAllBytes(plain),
                LuksTestFiles.decryptWithReference(extracted, dumpVolumeKey(extracted, key), options, payload));
    }

    @Test
    void headerPin_argon2idSector4096_agentValidatesTheWrittenHeaderAndTheDumpedKeyMatches() throws Exception {
        Path key = LuksTestFiles.rawKey(dir, "root.key");
        Path plain = LuksTestFiles.randomFile(dir, "plain.img", 64 * 1024, 6);
        LuksOptions options = LuksOptions.luks2().withKdf(new KdfSpec.Argon2id(4, 32 * 1024, 2)).withSectorSize(4096)
                .withDataOffset(LuksOptions.WHOLE_DISK_DATA_OFFSET);
        Path out = dir.resolve("enc.img");
        dev.cvmfde.agent.luks.LuksHeaderPin pin;
        String uuid;
        try (var k = dev.cvmfde.protocol.secret.KeyFile.read(key);
             LuksContainer luks = LuksContainer.create(options, k.passphrase(), new java.security.SecureRandom());
             var in = java.nio.channels.FileChannel.open(plain)) {
            luks.writeNewFile(out, in, 64 * 1024, 64 * 1024, null);
            pin = luks.headerPin();
            uuid = luks.uuid().toString();
        }
        assertEquals(java.util.Map.of("type", "argon2id", "time", "4", "memory", "32768", "cpus", "2"), pin.kdf());
        assertEquals(4096, pin.sectorSize());
        assertEquals(LuksOptions.WHOLE_DISK_DATA_OFFSET, pin.segmentOffset());

        dev.cvmfde.agent.luks.LuksHeaderCheck.read(out, uuid, pin);
        assertTrue(dev.cvmfde.agent.luks.VolumeKeyFingerprint.matches(dumpVolumeKey(out, key), pin.volumeKeyFingerprint()));
        // another container from the same key file: same shape, another volume key
        Path other = LuksTestFiles.encrypt(options.withUuid(java.util.UUID.fromString(uuid)), key, plain, dir.resolve("other.img"));
        dev.cvmfde.agent.luks.LuksHeaderCheck.read(other, uuid, pin);
        assertTrue(!dev.cvmfde.agent.luks.VolumeKeyFingerprint.matches(dumpVolumeKey(other, key), pin.volumeKeyFingerprint()));
    }

    private static boolean allEqual(byte[] a, int from, int to, byte value) {
        for (int i = from; i < to; i++) {
            if (a[i] != value) {
                return false;
            }
        }
        return true;
    }
}
