package dev.cvmfde.imagebuilder.luks;

import static dev.cvmfde.imagebuilder.luks.ExternalTool.dumpVolumeKey;
import static dev.cvmfde.imagebuilder.luks.ExternalTool.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real root filesystem through the whole chain: mke2fs → encrypt → cryptsetup's key → debugfs. */
class LuksExt4PayloadTest {

    @TempDir
    Path dir;

    @Test
    void writeNewFile_ext4Payload_volumeKeyFromCryptsetupRecoversFilesystem() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("root"));
        String marker = "cvm-fde marker " + System.nanoTime();
        Files.writeString(tree.resolve("marker"), marker);
        Files.createDirectories(tree.resolve("etc"));
        Files.writeString(tree.resolve("etc/fstab"), "UUID=abc / ext4 defaults 0 1\n");
        Path fs = dir.resolve("root.ext4");
        ok("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree.toString(), fs.toString(), "8M");

        Path key = LuksTestFiles.rawKey(dir, "root.key");
        LuksOptions options = LuksOptions.luks2().withDataOffset(LuksOptions.WHOLE_DISK_DATA_OFFSET);
        Path out = LuksTestFiles.encrypt(options, key, fs, dir.resolve("root.luks"));

        byte[] decrypted = LuksTestFiles.decryptWithReference(out, dumpVolumeKey(out, key), options, (int) Files.size(fs));
        assertArrayEquals(Files.readAllBytes(fs), decrypted, "decrypted payload differs from the ext4 image");
        Path back = Files.write(dir.resolve("back.ext4"), decrypted);
        String cat = ok("debugfs", "-R", "cat /marker", back.toString());
        assertEquals(marker, cat.lines().filter(l -> l.startsWith("cvm-fde marker")).findFirst().orElse(cat));
    }
}
