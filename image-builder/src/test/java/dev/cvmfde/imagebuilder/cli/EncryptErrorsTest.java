package dev.cvmfde.imagebuilder.cli;

import static dev.cvmfde.imagebuilder.testsupport.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.cvmfde.imagebuilder.testsupport.Tools;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code encrypt} refuses bad inputs with the failed check named, exit 1, the input unchanged and
 * nothing left in the output directory; among them the layouts it does not take (a corrupt ext4
 * /boot, no kernels anywhere, two partitions typed root, a /boot on xfs, an LVM root).
 */
class EncryptErrorsTest {
    static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    Path baseline;
    Path key;
    Path verifierKey;
    Path runtime;
    Path outDir;

    @BeforeEach
    void inputs() throws Exception {
        String d = "11".repeat(32);
        baseline = Files.writeString(dir.resolve("hash.json"), "{\"grub\":\"" + d + "\",\"grub.cfg\":\"" + d
                + "\",\"kernel\":\"" + d + "\",\"initramfs\":\"" + d + "\",\"hash_alg\":\"sha-256\"}");
        key = Files.write(dir.resolve("rootfs.key"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
            16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, (byte) 0xff});
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        verifierKey = EncryptCommandTest.writeVerifierKey(dir.resolve("verifier.pub.pem"));
        runtime = EncryptCommandTest.fakeRuntime(dir.resolve("runtime"));
        outDir = Files.createDirectories(dir.resolve("out"));
    }

    @Test
    void encrypt_truncatedQcow2_refusedNamingTheCheck() throws Exception {
        Path q = qcow2(gptDisk("disk.raw", true), "disk.qcow2");
        try (FileChannel ch = FileChannel.open(q, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        assertRefused(q, outDir.resolve("x.qcow2"), "input disk: qcow2.");
    }

    @Test
    void encrypt_qcow2WithBackingFile_refusedNamingTheBackingFile() throws Exception {
        Path base = qcow2(gptDisk("disk.raw", true), "base.qcow2");
        Path over = dir.resolve("over.qcow2");
        ok("qemu-img", "create", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2", over.toString());
        assertRefused(over, outDir.resolve("x.qcow2"), "qcow2.header.backing-file");
    }

    @Test
    void encrypt_corruptGptCrc_refusedNamingTheCrc() throws Exception {
        Path raw = gptDisk("disk.raw", true);
        try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, 512 + 16);
            b.put(0, (byte) (b.get(0) ^ 0x5a));
            ch.write(b.flip(), 512 + 16);
        }
        assertRefused(raw, outDir.resolve("x.qcow2"), "PRIMARY_HEADER_CRC");
    }

    @Test
    void encrypt_rootPartitionMissing_refusedNamingThePartitions() throws Exception {
        Path raw = gptDisk("disk.raw", false);
        assertRefused(raw, outDir.resolve("x.qcow2"), "partitions: root partition 2 is missing", "--root-partition", "2");
    }

    @Test
    void encrypt_noRootFound_refusedNamingWhatWasSearched() throws Exception {
        Path raw = gptDisk("disk.raw", false);
        CliRun.Result r = assertRefused(raw, outDir.resolve("x.qcow2"), "partitions: no root partition found");
        assertTrue(r.err().contains("partition 1 (EFI system"), r.err());
    }

    @Test
    void encrypt_brokerWithTpmProvider_usageErrorNothingWritten() throws Exception {
        Path input = gptDisk("disk.raw", true);
        String sha = Tools.sha256(input);
        CliRun.Result r = CliRun.run("encrypt", "--input", input.toString(), "--baseline", baseline.toString(),
                "--key-file", key.toString(), "--verifier-key", verifierKey.toString(), "--agent-runtime",
                runtime.toString(), "--output", outDir.resolve("x.qcow2").toString(), "--quiet",
                "--provider", "tpm", "--broker", "http://127.0.0.1:9", "--image-id", "fleet-1");
        CliRun.assertExit(2, r);
        assertTrue(r.err().contains("--broker with --provider tpm"), r.err());
        assertEquals(sha, Tools.sha256(input), "input modified");
        assertEquals(List.of(), CliRun.listing(outDir), "output directory not empty");
    }

    @Test
    void encrypt_keyFileTooShort_refused() throws Exception {
        Files.write(key, new byte[] {1, 2, 3, 4, (byte) 0x80, 6, 7, 8});
        assertRefused(gptDisk("disk.raw", true), outDir.resolve("x.qcow2"), "key: key file");
    }

    @Test
    void encrypt_keyFileMode0644_refusedNamingFileModeAndChmod() throws Exception {
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        CliRun.Result r = assertRefused(gptDisk("disk.raw", true), outDir.resolve("x.qcow2"), "chmod 600 " + key);
        assertTrue(r.err().contains("0644 (rw-r--r--)"), r.err());
    }

    @Test
    void encrypt_keyFileMode0640_refused() throws Exception {
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));
        assertRefused(gptDisk("disk.raw", true), outDir.resolve("x.qcow2"), "0640 (rw-r-----)");
    }

    @Test
    void encrypt_signWithKeyMode0640_refusedBeforeAnyWork() throws Exception {
        Path jwk = Files.writeString(dir.resolve("build.jwk"),
                new ECKeyGenerator(Curve.P_256).generate().toJSONString());
        Files.setPosixFilePermissions(jwk, PosixFilePermissions.fromString("rw-r-----"));
        CliRun.Result r = assertRefused(gptDisk("disk.raw", true), outDir.resolve("x.qcow2"), "baseline signing key " + jwk,
                "--sign-with", jwk.toString());
        assertTrue(r.err().contains("baseline:") && r.err().contains("0640") && r.err().contains("chmod 600"), r.err());
    }

    @Test
    void encrypt_keyFileWithNewlineInTheMiddle_refused() throws Exception {
        Files.writeString(key, "QUJDREVGR0hJSktMTU5P\nUFFSU1RVVldYWVphYmNkZWY=");
        assertRefused(gptDisk("disk.raw", true), outDir.resolve("x.qcow2"), "line break at character 21");
    }

    @Test
    void encrypt_runtimeWithoutReleaseFile_refusedNamingTheFileBeforeAnyWork() throws Exception {
        Files.delete(runtime.resolve("release"));
        CliRun.Result r = assertRefused(gptDisk("disk.raw", true), outDir.resolve("x.qcow2"), "agent: the agent runtime "
                + runtime + "/ has no " + runtime.resolve("release"));
        assertTrue(r.err().contains("tools/guest-runtime/build.sh"), r.err());
    }

    @Test
    void encrypt_aarch64RuntimeForTheX86_64SampleGuest_refusedNothingLeft() throws Exception {
        runtime = EncryptCommandTest.fakeRuntime(dir.resolve("runtime-arm64"), "aarch64");
        CliRun.Result r = assertRefused(SampleGuest.qcow2(), outDir.resolve("x.qcow2"), "agent: the guest kernel /vmlinuz-");
        assertTrue(r.err().contains(" is x86_64 but the agent runtime " + runtime + "/ is aarch64; build an x86_64 runtime"
                + " with tools/guest-runtime/build.sh OUT"), r.err());
    }

    @Test
    void encrypt_twoX86_64Runtimes_refusedNamingBothNothingLeft() throws Exception {
        Path second = EncryptCommandTest.fakeRuntime(dir.resolve("runtime-2"));
        assertRefused(gptDisk("disk.raw", true), outDir.resolve("x.qcow2"), "agent: two agent runtimes for x86_64: "
                + runtime + "/ and " + second + "/", "--agent-runtime", second.toString());
    }

    @Test
    void encrypt_sampleGuestWithAnArm64KernelBesideTwoRuntimes_refusedNamingBothKernelsNothingLeft() throws Exception {
        Path raw = dir.resolve("guest.raw");
        ok("qemu-img", "convert", "-O", "raw", SampleGuest.qcow2().toString(), raw.toString());
        byte[] arm64Image = new byte[4096]; // the arm64 Image header's magic, ARM\x64 at 0x38
        System.arraycopy(new byte[] {'A', 'R', 'M', 0x64}, 0, arm64Image, 0x38, 4);
        Path image = Files.write(dir.resolve("vmlinuz-6.12.48+deb13-arm64"), arm64Image);
        Path initrd = Files.write(dir.resolve("initrd.img-6.12.48+deb13-arm64"), new byte[512]);
        ok("env", "MTOOLS_SKIP_CHECK=1", "mcopy", "-i", raw + "@@" + SampleGuest.BOOT_FIRST_LBA * 512L,
                image.toString(), initrd.toString(), "::/");
        Path arm = EncryptCommandTest.fakeRuntime(dir.resolve("runtime-arm64"), "aarch64");
        CliRun.Result r = assertRefused(raw, outDir.resolve("x.qcow2"), "agent: the guest's kernels are of different CPU"
                + " architectures: ", "--agent-runtime", arm.toString());
        assertTrue(r.err().contains("/vmlinuz-6.12.48+deb13-arm64 is aarch64"), r.err());
        assertTrue(r.err().matches("(?s).*/vmlinuz-[^ ]+ is x86_64.*"), r.err());
    }

    @Test
    void encrypt_outputOnReadOnlyFileSystem_refused() throws Exception {
        Path guest = SampleGuest.qcow2();
        Path ro = Files.createDirectories(dir.resolve("ro"));
        CliRun.mountTmpfs(ro, "8m", true);
        try {
            CliRun.Result r = assertRefused(guest, ro.resolve("x.qcow2"), "output");
            assertTrue(r.err().contains("Read-only") || r.err().contains("not writable"), r.err());
            assertEquals(List.of(), CliRun.listing(ro));
        } finally {
            CliRun.umount(ro);
        }
    }

    @Test
    void encrypt_diskFull_refusedNothingLeft() throws Exception {
        Path guest = SampleGuest.qcow2();
        Path small = Files.createDirectories(dir.resolve("small"));
        CliRun.mountTmpfs(small, "96m", false);
        try {
            CliRun.Result r = assertRefused(guest, small.resolve("x.qcow2"), "No space left on device");
            assertEquals(List.of(), CliRun.listing(small), "no output, temp file or work directory left");
        } finally {
            CliRun.umount(small);
        }
    }

    // ---------------------------------------------------------------- layouts (issue 13)
    // Made from the layout sample guests (build.sh --layout) with the real tools (sgdisk, debugfs).

    @Test
    void encrypt_corruptExt4Boot_refusedByE2fsck() throws Exception {
        Path raw = raw("ext4-boot");
        editPartition(raw, 3, img -> ok("debugfs", "-w", "-R", "clri <2>", img.toString()));
        CliRun.Result r = assertRefused(raw, outDir.resolve("x.qcow2"), "boot: the ext2/3/4 boot partition 3 has file-system errors");
        assertTrue(r.err().contains("e2fsck"), r.err());
    }

    @Test
    void encrypt_debianCloudWithoutKernels_refusedSayingWhatIsSupported() throws Exception {
        Path raw = raw("debian-cloud");
        String kver = "vmlinuz-" + kernelVersion("debian-cloud");
        editPartition(raw, 1, img -> ok("debugfs", "-w", "-R", "rm /boot/" + kver, img.toString()));
        CliRun.Result r = assertRefused(raw, outDir.resolve("x.qcow2"), "partitions: no boot files");
        assertTrue(r.err().contains("supported: a vfat or ext2/3/4 boot partition"), r.err());
    }

    @Test
    void encrypt_twoPartitionsTypedRoot_refusedNamingBoth() throws Exception {
        Path raw = raw("ext4-boot");
        ok("sgdisk", "-t", "3:8304", raw.toString());
        CliRun.Result r = assertRefused(raw, outDir.resolve("x.qcow2"), "partitions: two candidate roots: partitions [2, 3]");
        assertTrue(r.err().contains("--root-partition"), r.err());
    }

    @Test
    void encrypt_bootOnXfs_refusedSayingWhatIsSupported() throws Exception {
        Path raw = raw("ext4-boot");
        long off = LayoutEncryptTest.gpt(raw, 3).offset();
        write(raw, off, new byte[4096]);
        write(raw, off, "XFSB".getBytes(StandardCharsets.US_ASCII));
        CliRun.Result r = assertRefused(raw, outDir.resolve("x.qcow2"), "/boot on xfs is not supported");
        assertTrue(r.err().contains("supported: a vfat or ext2/3/4 boot partition"), r.err());
    }

    @Test
    void encrypt_lvmRoot_refusedSayingWhatIsSupported() throws Exception {
        Path raw = raw("ext4-boot");
        long off = LayoutEncryptTest.gpt(raw, 2).offset();
        write(raw, off, new byte[4096]);
        write(raw, off + 512, "LABELONE".getBytes(StandardCharsets.US_ASCII));
        ok("sgdisk", "-t", "2:8E00", raw.toString());
        CliRun.Result r = assertRefused(raw, outDir.resolve("x.qcow2"), "an LVM root is not supported");
        assertTrue(r.err().contains("partitions:"), r.err());
    }

    @Test
    void encrypt_bootOverrideNamesTheRoot_refused() throws Exception {
        Path raw = raw("ext4-boot");
        assertRefused(raw, outDir.resolve("x.qcow2"), "must be two different partition numbers", "--boot-partition", "2", "--root-partition", "2");
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

    private CliRun.Result assertRefused(Path input, Path output, String expected, String... extra) throws Exception {
        String sha = Tools.sha256(input);
        List<String> args = new ArrayList<>(List.of("encrypt", "--input", input.toString(), "--baseline",
                baseline.toString(), "--key-file", key.toString(), "--verifier-key", verifierKey.toString(),
                "--agent-runtime", runtime.toString(), "--output", output.toString(), "--quiet"));
        args.addAll(List.of(extra));
        CliRun.Result r = CliRun.run(args.toArray(String[]::new));
        CliRun.assertExit(1, r);
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        assertTrue(!r.err().contains("internal error"), r.err());
        assertEquals(sha, Tools.sha256(input), "input modified");
        assertEquals(List.of(), CliRun.listing(output.getParent()), "output directory not empty");
        return r;
    }

    /** A 40 MiB GPT disk made by sgdisk: p1 8 MiB, and p2 filling the rest when {@code withRoot}. */
    private Path gptDisk(String name, boolean withRoot) throws Exception {
        Path raw = Tools.sparseRaw(dir, name, 40 * MIB, 3);
        List<String> cmd = new ArrayList<>(List.of("sgdisk", "-Z", "-n", "1:2048:+8M", "-t", "1:EF00"));
        if (withRoot) {
            cmd.addAll(List.of("-n", "2:0:0", "-t", "2:8300"));
        }
        cmd.add(raw.toString());
        ok(cmd.toArray(String[]::new));
        return raw;
    }

    private Path qcow2(Path raw, String name) throws Exception {
        Path q = dir.resolve(name);
        ok("qemu-img", "convert", "-O", "qcow2", raw.toString(), q.toString());
        return q;
    }
}
