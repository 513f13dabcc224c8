package dev.cvmfde.imagebuilder.cli;

import static dev.cvmfde.imagebuilder.testsupport.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cvmfde.imagebuilder.testsupport.Tools;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code encrypt} on the sample guests of the layouts real images have ({@code build.sh --layout}),
 * with no partition numbers given: the partitions are found by type and content. Each output is
 * checked with the real tools: {@code qemu-img check}, {@code sgdisk -v} / {@code sfdisk -V},
 * {@code cryptsetup luksDump} and {@code open --test-passphrase}, the root decrypted with the
 * dumped volume key (reference XTS) and read with {@code debugfs}, the boot partition read with
 * {@code debugfs} or mtools, {@code e2fsck -fn} on every ext4 file system written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LayoutEncryptTest {
    static final long LUKS_HEADER = 16L << 20;
    static final long HEADER_SECTORS = LUKS_HEADER / 512;
    static final String XBOOTLDR = "BC13C2FF-59E6-4262-A352-B275FD6F7172";

    @TempDir
    static Path dir;

    Path key;
    Path verifierKey;
    Path runtime;
    Path baseline;
    final Map<String, Encrypted> done = new HashMap<>();

    /** One encrypted layout: input and output as raw disks, the summary, hash.json. */
    record Encrypted(Path input, Path inRaw, Path outRaw, JsonNode summary, JsonNode hashJson, String inputSha) {
    }

    /** A partition: first sector and sector count. */
    record Part(long first, long sectors) {
        long offset() {
            return first * 512;
        }

        long bytes() {
            return sectors * 512;
        }
    }

    @BeforeAll
    void keys() throws Exception {
        key = dir.resolve("rootfs.key");
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        Files.write(key, k);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        verifierKey = EncryptCommandTest.writeVerifierKey(dir.resolve("verifier.pub.pem"));
        runtime = EncryptCommandTest.fakeRuntime(dir.resolve("runtime"));
        String d = "00".repeat(32);
        baseline = Files.writeString(dir.resolve("form.hash.json"), "{\"grub\":\"" + d + "\",\"grub.cfg\":\"" + d
                + "\",\"kernel\":\"" + d + "\",\"initramfs\":\"" + d + "\",\"hash_alg\":\"sha-256\"}");
    }

    synchronized Encrypted encrypted(String layout) throws Exception {
        Encrypted e = done.get(layout);
        if (e == null) {
            Path input = SampleGuest.qcow2(layout);
            String sha = Tools.sha256(input);
            Path inRaw = dir.resolve(layout + ".in.raw");
            ok("qemu-img", "convert", "-O", "raw", input.toString(), inRaw.toString());
            Path out = Files.createDirectories(dir.resolve("out-" + layout)).resolve("enc.qcow2");
            Path jwk = dir.resolve("build.jwk");
            CliRun.Result r = CliRun.ok("encrypt", "--input", input.toString(), "--baseline", baseline.toString(),
                    "--key-file", key.toString(), "--verifier-key", verifierKey.toString(), "--agent-runtime",
                    runtime.toString(), "--output", out.toString(), "--sign-with", jwk.toString(), "--json");
            assertTrue(ok("qemu-img", "check", out.toString()).contains("No errors were found"));
            Path outRaw = dir.resolve(layout + ".out.raw");
            ok("qemu-img", "convert", "-O", "raw", out.toString(), outRaw.toString());
            e = new Encrypted(input, inRaw, outRaw, new ObjectMapper().readTree(r.out()),
                    new ObjectMapper().readTree(dir.resolve("out-" + layout).resolve("enc.qcow2.hash.json").toFile()),
                    sha);
            assertEquals(sha, Tools.sha256(input), "input modified");
            done.put(layout, e);
        }
        return e;
    }

    // ---------------------------------------------------------------- ext4 /boot, root not last

    @Test
    void encrypt_ext4BootRootNotLast_rootMovedToTheEndOldPlaceZeroedGptClean() throws Exception {
        Encrypted e = encrypted("ext4-boot");
        assertTrue(ok("sgdisk", "-v", e.outRaw().toString()).contains("No problems found"));
        Part oldRoot = gpt(e.inRaw(), 2);
        Part root = gpt(e.outRaw(), 2);
        Part boot = gpt(e.outRaw(), 3);
        assertEquals(gpt(e.inRaw(), 3), boot, "the /boot partition stays where it was");
        assertTrue(root.first() > boot.first() + boot.sectors() - 1, "the root moved after /boot: " + root);
        assertEquals(oldRoot.sectors() + HEADER_SECTORS, root.sectors(), "grown by the LUKS header");
        assertTrue(ok("sgdisk", "-i", "2", e.outRaw().toString()).contains("4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709"),
                "the root keeps its root-x86-64 type");
        assertEquals(2, e.summary().get("rootPartition").asInt());
        assertEquals(root.offset(), e.summary().get("luksOffset").asLong());
        try (FileChannel ch = FileChannel.open(e.outRaw())) {
            byte[] old = CliRun.read(ch, oldRoot.offset(), (int) oldRoot.bytes());
            assertArrayEquals(new byte[old.length], old, "no plaintext left where the root was");
        }
        assertRootDecryptsToOriginal(e, oldRoot, root);
    }

    @Test
    void encrypt_ext4Boot_grubCfgAndInitramfsEditedWithDebugfsE2fsckClean() throws Exception {
        Encrypted e = encrypted("ext4-boot");
        Path boot = slice(e.outRaw(), gpt(e.outRaw(), 3), "ext4-boot.boot.img");
        assertEquals(0, Tools.run("e2fsck", "-fn", boot.toString()).exit(), "e2fsck -fn on the written /boot");
        String cfg = ok("debugfs", "-R", "cat /grub/grub.cfg", boot.toString());
        String linux = cfg.lines().filter(l -> l.strip().startsWith("linux ")).findFirst().orElseThrow();
        assertTrue(linux.contains(" root=/dev/mapper/encroot ") && linux.endsWith("rd.shell=0 rd.emergency=poweroff"),
                linux);
        assertEquals(linux.strip().split(" ", 3)[2], e.hashJson().get("cmdline").asText());
        Path cfgFile = dir.resolve("ext4-boot.grub.cfg");
        Files.deleteIfExists(cfgFile);
        ok("debugfs", "-R", "dump /grub/grub.cfg " + cfgFile, boot.toString());
        assertEquals(sha256(Files.readAllBytes(cfgFile)), e.hashJson().get("grub.cfg").asText(),
                "hash.json pins the grub.cfg on the partition");
        Path in = slice(e.inRaw(), gpt(e.inRaw(), 3), "ext4-boot.boot-in.img");
        String kver = kernelVersion(e);
        long before = initrdSize(in, "/initrd.img-" + kver);
        long after = initrdSize(boot, "/initrd.img-" + kver);
        assertTrue(after > before, "the overlay is appended: " + before + " -> " + after);
        // the simulated TEE's log goes to the ESP (vfat: what the guest's hook mounts)
        String esp = ok("env", "MTOOLS_SKIP_CHECK=1", "mdir", "-b", "-i", e.outRaw() + "@@" + gpt(e.outRaw(), 1).offset(),
                "::/cvm-fde");
        assertTrue(esp.contains("simulated-ccel.bin"), esp);
    }

    // ---------------------------------------------------------------- Debian cloud: /boot inside the root

    @Test
    void encrypt_debianCloud_newBootPartitionMadeFromRootsBoot() throws Exception {
        Encrypted e = encrypted("debian-cloud");
        assertTrue(ok("sgdisk", "-v", e.outRaw().toString()).contains("No problems found"));
        String info = ok("sgdisk", "-i", "2", e.outRaw().toString());
        assertTrue(info.contains(XBOOTLDR), "the new boot partition is typed XBOOTLDR: " + info);
        Part root = gpt(e.outRaw(), 1);
        Part boot = gpt(e.outRaw(), 2);
        assertTrue(boot.first() > root.first() + root.sectors() - 1, "the boot partition follows the root");
        assertEquals(gpt(e.inRaw(), 1).first(), root.first(), "the root (last) grows in place");
        Path img = slice(e.outRaw(), boot, "dc.boot.img");
        assertEquals(0, Tools.run("e2fsck", "-fn", img.toString()).exit());
        String kver = kernelVersion(e);
        String ls = ok("debugfs", "-R", "ls -l /", img.toString());
        assertTrue(ls.contains("vmlinuz-" + kver) && ls.contains("initrd.img-" + kver), ls);
        assertTrue(ok("debugfs", "-R", "stat /boot", img.toString()).contains("Fast link dest: \".\""),
                "boot -> . keeps grub's /boot/... paths working");
        String uuid = ok("blkid", "-s", "UUID", "-o", "value", img.toString()).strip();
        String cfg = ok("debugfs", "-R", "cat /grub/grub.cfg", img.toString());
        assertTrue(cfg.contains("--set=root " + uuid), "grub.cfg searches the new boot partition: " + cfg);
        assertTrue(!cfg.contains(SampleGuest.ROOT_FS_UUID), cfg);
        assertTrue(cfg.contains("linux /boot/vmlinuz-" + kver + " root=/dev/mapper/encroot "), cfg);
        Part esp = gpt(e.outRaw(), 15);
        String stub = ok("env", "MTOOLS_SKIP_CHECK=1", "mtype", "-i", e.outRaw() + "@@" + esp.offset(),
                "::/EFI/debian/grub.cfg");
        assertTrue(stub.startsWith("search.fs_uuid " + uuid + " "), "the ESP's stub finds the new boot partition: " + stub);
    }

    @Test
    void encrypt_debianCloud_fstabRootByPartuuidRewrittenAndBootLineAdded() throws Exception {
        Encrypted e = encrypted("debian-cloud");
        Path fs = decryptedRoot(e, gpt(e.outRaw(), 1), gpt(e.inRaw(), 1).bytes(), "dc.root.ext4");
        assertEquals(0, Tools.run("e2fsck", "-fn", fs.toString()).exit(), "e2fsck -fn on the edited root");
        String fstab = ok("debugfs", "-R", "cat /etc/fstab", fs.toString());
        String uuid = ok("blkid", "-s", "UUID", "-o", "value",
                slice(e.outRaw(), gpt(e.outRaw(), 2), "dc.boot2.img").toString()).strip();
        assertTrue(fstab.contains("\n/dev/mapper/encroot / ext4 rw,discard,errors=remount-ro 0 1\n"), fstab);
        assertTrue(fstab.contains("\nUUID=" + uuid + " /boot ext4 defaults 0 2\n"), fstab);
        assertTrue(fstab.contains("PARTUUID=a1b2c3d4-000f-4e5f-8a9b-c1d2e3f4a5b6 /boot/efi vfat"), "the ESP's line stays");
        assertTrue(!fstab.contains("PARTUUID=a1b2c3d4-0001"), fstab);
    }

    // ---------------------------------------------------------------- BLS entries

    @Test
    void encrypt_bls_optionsRewrittenGrubCfgUnchangedCmdlinePinned() throws Exception {
        Encrypted e = encrypted("bls");
        assertTrue(ok("sgdisk", "-v", e.outRaw().toString()).contains("No problems found"));
        assertEquals(3, e.summary().get("rootPartition").asInt(), "the root is found by content (Linux data + fstab)");
        Path boot = slice(e.outRaw(), gpt(e.outRaw(), 2), "bls.boot.img");
        Path in = slice(e.inRaw(), gpt(e.inRaw(), 2), "bls.boot-in.img");
        assertEquals(0, Tools.run("e2fsck", "-fn", boot.toString()).exit());
        String kver = kernelVersion(e);
        String entry = ok("debugfs", "-R", "cat /loader/entries/cvmfde-" + kver + ".conf", boot.toString());
        String options = entry.lines().filter(l -> l.startsWith("options ")).findFirst().orElseThrow();
        assertTrue(options.contains(" root=/dev/mapper/encroot ") && options.endsWith("rd.shell=0 rd.emergency=poweroff"),
                entry);
        assertEquals(options.substring("options ".length()), e.hashJson().get("cmdline").asText());
        assertEquals(ok("debugfs", "-R", "cat /grub/grub.cfg", in.toString()),
                ok("debugfs", "-R", "cat /grub/grub.cfg", boot.toString()), "grub.cfg (blscfg) is left as it was");
        assertTrue(initrdSize(boot, "/initramfs-" + kver + ".img") > initrdSize(in, "/initramfs-" + kver + ".img"));
    }

    // ---------------------------------------------------------------- MBR

    @Test
    void encrypt_mbr_rootGrownSfdiskCleanBootCodeKept() throws Exception {
        Encrypted e = encrypted("mbr");
        String v = ok("sfdisk", "-V", e.outRaw().toString());
        assertTrue(v.contains("No errors detected"), v);
        Part in = mbr(e.inRaw(), 2);
        Part out = mbr(e.outRaw(), 2);
        assertEquals(in.first(), out.first());
        assertEquals(in.sectors() + HEADER_SECTORS, out.sectors());
        assertEquals(mbr(e.inRaw(), 1), mbr(e.outRaw(), 1));
        try (FileChannel a = FileChannel.open(e.inRaw()); FileChannel b = FileChannel.open(e.outRaw())) {
            assertArrayEquals(CliRun.read(a, 0, 446), CliRun.read(b, 0, 446), "boot code and disk id kept");
        }
        assertTrue(ok("sfdisk", "-d", e.outRaw().toString()).contains("label-id: 0x6c7f3a52"));
        assertRootDecryptsToOriginal(e, in, out);
        String cfg = ok("env", "MTOOLS_SKIP_CHECK=1", "mtype", "-i", e.outRaw() + "@@" + mbr(e.outRaw(), 1).offset(),
                "::/grub/grub.cfg");
        assertTrue(cfg.contains(" root=/dev/mapper/encroot "), cfg);
    }

    // ---------------------------------------------------------------- helpers

    private void assertRootDecryptsToOriginal(Encrypted e, Part oldRoot, Part root) throws Exception {
        Path luks = slice(e.outRaw(), root, "luks-" + root.first() + ".img");
        String dump = ok("cryptsetup", "luksDump", luks.toString());
        assertTrue(dump.matches("(?s).*Version:\\s+2\\b.*") && dump.contains("aes-xts-plain64"), dump);
        assertTrue(dump.contains(e.summary().get("luksUuid").asText()));
        assertEquals(0, Tools.run("cryptsetup", "open", "--test-passphrase", "--key-file", key.toString(),
                luks.toString()).exit());
        Path wrong = dir.resolve("wrong.key");
        byte[] w = Files.readAllBytes(key);
        w[0] ^= 1;
        Files.write(wrong, w);
        assertNotEquals(0, Tools.run("cryptsetup", "open", "--test-passphrase", "--key-file", wrong.toString(),
                luks.toString()).exit());
        byte[] vk = CliRun.dumpVolumeKey(luks, key);
        CliRun.assertDecryptsTo(luks, LUKS_HEADER, vk, e.inRaw(), oldRoot.offset(), oldRoot.bytes());
        Files.delete(luks);
    }

    private Path decryptedRoot(Encrypted e, Part root, long plainBytes, String name) throws Exception {
        Path luks = slice(e.outRaw(), root, name + ".luks");
        byte[] vk = CliRun.dumpVolumeKey(luks, key);
        Path fs = dir.resolve(name);
        try (FileChannel ch = FileChannel.open(luks)) {
            byte[] all = CliRun.read(ch, LUKS_HEADER, (int) plainBytes);
            dev.cvmfde.imagebuilder.luks.ReferenceXts.decryptPayload(vk, all, 512, 0);
            Files.write(fs, all);
        }
        Files.delete(luks);
        return fs;
    }

    private static Path slice(Path raw, Part p, String name) throws Exception {
        Path t = dir.resolve(name);
        Files.deleteIfExists(t);
        return CliRun.slice(raw, p.offset(), p.bytes(), t);
    }

    static Part gpt(Path raw, int n) throws Exception {
        String info = ok("sgdisk", "-i", Integer.toString(n), raw.toString());
        Matcher f = Pattern.compile("First sector: (\\d+)").matcher(info);
        Matcher l = Pattern.compile("Last sector: (\\d+)").matcher(info);
        assertTrue(f.find() && l.find(), "no partition " + n + ": " + info);
        long first = Long.parseLong(f.group(1));
        return new Part(first, Long.parseLong(l.group(1)) - first + 1);
    }

    static Part mbr(Path raw, int n) throws Exception {
        for (String line : ok("sfdisk", "-d", raw.toString()).split("\n")) {
            Matcher m = Pattern.compile("^\\S+?" + n + " : start=\\s*(\\d+), size=\\s*(\\d+)").matcher(line);
            if (m.find()) {
                return new Part(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
            }
        }
        throw new AssertionError("no MBR partition " + n + " in " + raw);
    }

    private static long initrdSize(Path ext4, String path) throws Exception {
        Matcher m = Pattern.compile("Size: (\\d+)").matcher(ok("debugfs", "-R", "stat " + path, ext4.toString()));
        assertTrue(m.find(), "no " + path);
        return Long.parseLong(m.group(1));
    }

    private static String kernelVersion(Encrypted e) throws Exception {
        JsonNode m = new ObjectMapper().readTree(e.input().resolveSibling("manifest.json").toFile());
        return m.get("kernelVersion").asText();
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
