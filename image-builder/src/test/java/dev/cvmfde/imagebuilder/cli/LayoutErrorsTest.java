package dev.cvmfde.imagebuilder.cli;

import static dev.cvmfde.imagebuilder.testsupport.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.imagebuilder.testsupport.Tools;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layouts {@code encrypt} refuses, each made from a layout sample guest with the real tools
 * (sgdisk, debugfs) and refused with exit 1, the named step and what is supported, the input
 * unchanged and nothing left in the output directory: a corrupt ext4 /boot, no kernels anywhere
 * (a Debian-cloud disk whose /boot was emptied), two partitions typed root, a /boot on xfs, an
 * LVM root.
 */
class LayoutErrorsTest {
    @TempDir
    Path dir;

    Path baseline;
    Path key;
    Path verifierKey;
    Path runtime;
    Path outDir;

    @BeforeEach
    void inputs() throws Exception {
        String d = "00".repeat(32);
        baseline = Files.writeString(dir.resolve("hash.json"), "{\"grub\":\"" + d + "\",\"grub.cfg\":\"" + d
                + "\",\"kernel\":\"" + d + "\",\"initramfs\":\"" + d + "\",\"hash_alg\":\"sha-256\"}");
        key = Files.write(dir.resolve("rootfs.key"), new byte[32]);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        verifierKey = EncryptCommandTest.writeVerifierKey(dir.resolve("verifier.pub.pem"));
        runtime = EncryptCommandTest.fakeRuntime(dir.resolve("runtime"));
        outDir = Files.createDirectories(dir.resolve("out"));
    }

    @Test
    void encrypt_corruptExt4Boot_refusedByE2fsck() throws Exception {
        Path raw = raw("ext4-boot");
        editPartition(raw, 3, img -> ok("debugfs", "-w", "-R", "clri <2>", img.toString()));
        CliRun.Result r = assertRefused(raw, "boot: the ext2/3/4 boot partition 3 has file-system errors");
        assertTrue(r.err().contains("e2fsck"), r.err());
    }

    @Test
    void encrypt_debianCloudWithoutKernels_refusedSayingWhatIsSupported() throws Exception {
        Path raw = raw("debian-cloud");
        String kver = "vmlinuz-" + kernelVersion("debian-cloud");
        editPartition(raw, 1, img -> ok("debugfs", "-w", "-R", "rm /boot/" + kver, img.toString()));
        CliRun.Result r = assertRefused(raw, "partitions: no boot files");
        assertTrue(r.err().contains("supported: a vfat or ext2/3/4 boot partition"), r.err());
    }

    @Test
    void encrypt_twoPartitionsTypedRoot_refusedNamingBoth() throws Exception {
        Path raw = raw("ext4-boot");
        ok("sgdisk", "-t", "3:8304", raw.toString());
        CliRun.Result r = assertRefused(raw, "partitions: two candidate roots: partitions [2, 3]");
        assertTrue(r.err().contains("--root-partition"), r.err());
    }

    @Test
    void encrypt_bootOnXfs_refusedSayingWhatIsSupported() throws Exception {
        Path raw = raw("ext4-boot");
        long off = LayoutEncryptTest.gpt(raw, 3).offset();
        write(raw, off, new byte[4096]);
        write(raw, off, "XFSB".getBytes(StandardCharsets.US_ASCII));
        CliRun.Result r = assertRefused(raw, "/boot on xfs is not supported");
        assertTrue(r.err().contains("supported: a vfat or ext2/3/4 boot partition"), r.err());
    }

    @Test
    void encrypt_lvmRoot_refusedSayingWhatIsSupported() throws Exception {
        Path raw = raw("ext4-boot");
        long off = LayoutEncryptTest.gpt(raw, 2).offset();
        write(raw, off, new byte[4096]);
        write(raw, off + 512, "LABELONE".getBytes(StandardCharsets.US_ASCII));
        ok("sgdisk", "-t", "2:8E00", raw.toString());
        CliRun.Result r = assertRefused(raw, "an LVM root is not supported");
        assertTrue(r.err().contains("partitions:"), r.err());
    }

    @Test
    void encrypt_bootOverrideNamesTheRoot_refused() throws Exception {
        Path raw = raw("ext4-boot");
        assertRefused(raw, "must be two different partition numbers", "--boot-partition", "2", "--root-partition", "2");
    }

    private interface Edit {
        void apply(Path image) throws Exception;
    }

    /** Copies partition {@code n} out of {@code raw}, edits it, writes it back. */
    private void editPartition(Path raw, int n, Edit edit) throws Exception {
        LayoutEncryptTest.Part p = LayoutEncryptTest.gpt(raw, n);
        Path img = CliRun.slice(raw, p.offset(), p.bytes(), dir.resolve("part" + n + ".img"));
        edit.apply(img);
        write(raw, p.offset(), Files.readAllBytes(img));
        Files.delete(img);
    }

    private static void write(Path file, long offset, byte[] bytes) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b, offset + b.position());
            }
        }
    }

    private Path raw(String layout) throws Exception {
        Path raw = dir.resolve(layout + ".raw");
        ok("qemu-img", "convert", "-O", "raw", SampleGuest.qcow2(layout).toString(), raw.toString());
        return raw;
    }

    private static String kernelVersion(String layout) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(SampleGuest.qcow2(layout)
                .resolveSibling("manifest.json").toFile()).get("kernelVersion").asText();
    }

    private CliRun.Result assertRefused(Path input, String expected, String... extra) throws Exception {
        String sha = Tools.sha256(input);
        List<String> args = new java.util.ArrayList<>(List.of("encrypt", "--input", input.toString(), "--baseline",
                baseline.toString(), "--key-file", key.toString(), "--verifier-key", verifierKey.toString(),
                "--agent-runtime", runtime.toString(), "--output", outDir.resolve("x.qcow2").toString(), "--quiet"));
        args.addAll(List.of(extra));
        CliRun.Result r = CliRun.run(args.toArray(String[]::new));
        CliRun.assertExit(1, r);
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        assertTrue(!r.err().contains("internal error"), r.err());
        assertEquals(sha, Tools.sha256(input), "input modified");
        assertEquals(List.of(), CliRun.listing(outDir), "output directory not empty");
        return r;
    }
}
