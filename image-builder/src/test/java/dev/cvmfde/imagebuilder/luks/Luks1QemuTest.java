package dev.cvmfde.imagebuilder.luks;

import static dev.cvmfde.imagebuilder.luks.ExternalTool.ok;
import static dev.cvmfde.imagebuilder.luks.ExternalTool.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** qemu-img (which reads LUKS1 only) and cryptsetup judge the LUKS1 containers we write. */
class Luks1QemuTest {

    @TempDir
    Path dir;

    @Test
    void writeNewFile_luks1_qemuImgDecryptsToInputAndCryptsetupOpens() throws Exception {
        // qemu-img reads the secret file as UTF-8 text: the base64 DEK form is the one that works.
        Path key = LuksTestFiles.dekKey(dir, "secret.dek");
        Path plain = LuksTestFiles.randomFile(dir, "plain.raw", 2 * 1024 * 1024 + 512, 11);
        Path out = LuksTestFiles.encrypt(LuksOptions.luks1(), key, plain, dir.resolve("enc.luks"));

        String dump = ok("cryptsetup", "luksDump", out.toString());
        assertTrue(dump.matches("(?s).*Version:\\s+1\\b.*"), dump);
        assertTrue(dump.matches("(?s).*Cipher mode:\\s+xts-plain64.*"), dump);
        assertTrue(dump.matches("(?s).*MK bits:\\s+512.*"), dump);
        assertTrue(dump.matches("(?s).*Payload offset:\\s+4096.*"), dump);
        assertEquals(0, run("cryptsetup", "open", "--test-passphrase", "--key-file", key.toString(), out.toString()).exitCode());
        Path other = LuksTestFiles.dekKey(dir, "other.dek");
        assertNotEquals(0, run("cryptsetup", "open", "--test-passphrase", "--key-file", other.toString(), out.toString()).exitCode());

        Path back = dir.resolve("back.raw");
        ok("qemu-img", "convert", "--object", "secret,id=s0,file=" + key, "--image-opts",
                "driver=luks,file.filename=" + out + ",key-secret=s0", "-O", "raw", back.toString());
        assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(back));
    }

    @Test
    void writeNewFile_luks1WholeDiskOffset_qemuImgInfoShowsPayloadOffset() throws Exception {
        Path key = LuksTestFiles.dekKey(dir, "secret.dek");
        Path plain = LuksTestFiles.randomFile(dir, "plain.raw", 1024 * 1024, 12);
        Path out = LuksTestFiles.encrypt(LuksOptions.luks1().withDataOffset(LuksOptions.WHOLE_DISK_DATA_OFFSET),
                key, plain, dir.resolve("enc.luks"));
        String info = ok("qemu-img", "info", "--object", "secret,id=s0,file=" + key, "--image-opts",
                "driver=luks,file.filename=" + out + ",key-secret=s0");
        assertTrue(info.contains("payload offset: 4194304"), info);
        Path back = dir.resolve("back.raw");
        ok("qemu-img", "convert", "--object", "secret,id=s0,file=" + key, "--image-opts",
                "driver=luks,file.filename=" + out + ",key-secret=s0", "-O", "raw", back.toString());
        assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(back));
    }
}
