package dev.cvmfde.imagebuilder.cli;

import static dev.cvmfde.imagebuilder.testsupport.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cvmfde.imagebuilder.testsupport.Tools;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.HashJson;
import dev.cvmfde.refvalues.measure.BootMeasurer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code encrypt} end to end on the real sample guest, every result checked with the real tools;
 * given an aarch64 and an x86_64 agent runtime, as one pipeline for every guest would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EncryptCommandTest {
    static final long LUKS_HEADER = 16L << 20;

    @TempDir
    static Path dir;

    Path input;
    Path inputRaw;
    Path key;
    Path verifierKey;
    Path output;
    Path outputRaw;
    String inputSha;
    JsonNode summary;
    String stderr;
    Path runtime;
    com.nimbusds.jose.jwk.ECKey signer;

    @BeforeAll
    void encryptOnce() throws Exception {
        input = SampleGuest.qcow2();
        inputSha = Tools.sha256(input);
        inputRaw = dir.resolve("in.raw");
        ok("qemu-img", "convert", "-O", "raw", input.toString(), inputRaw.toString());
        key = dir.resolve("rootfs.key");
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        Files.write(key, k);
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        verifierKey = writeVerifierKey(dir.resolve("verifier.pub.pem"));
        runtime = fakeRuntime(dir.resolve("runtime"));
        Path runtimeArm64 = fakeRuntime(dir.resolve("runtime-arm64"), "aarch64");
        Path baseline = dir.resolve("hash.json");
        HashJson.write(BootMeasurer.measure(extractBoot(inputRaw, dir.resolve("boot-in")), List.of(),
                DigestAlgorithm.SHA256, false), baseline);
        signer = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).generate();
        Path signingKey = Files.writeString(dir.resolve("build.jwk"), signer.toJSONString());
        Files.setPosixFilePermissions(signingKey, PosixFilePermissions.fromString("rw-------"));
        Path outDir = Files.createDirectories(dir.resolve("out"));
        output = outDir.resolve("encrypted.qcow2");
        CliRun.Result r = CliRun.ok("encrypt", "--input", input.toString(), "--baseline", baseline.toString(),
                "--key-file", key.toString(), "--verifier-key", verifierKey.toString(), "--agent-runtime",
                runtimeArm64.toString(), "--agent-runtime", runtime.toString(), "--image-id", "test-image-1", "--output",
                output.toString(), "--sign-with", signingKey.toString(), "--json");
        summary = new ObjectMapper().readTree(r.out());
        stderr = r.err();
        outputRaw = dir.resolve("out.raw");
        ok("qemu-img", "convert", "-O", "raw", output.toString(), outputRaw.toString());
    }

    @Test
    void encrypt_sampleGuest_qemuImgCheckAndSgdiskVerifyClean() throws Exception {
        assertTrue(ok("qemu-img", "check", output.toString()).contains("No errors were found"));
        String v = ok("sgdisk", "-v", outputRaw.toString());
        assertTrue(v.contains("No problems found"), v);
        assertEquals(Files.size(inputRaw) + LUKS_HEADER, Files.size(outputRaw), "disk grows by the LUKS header");
    }

    @Test
    void encrypt_sampleGuest_luksDumpShowsLuks2AesXts512Pbkdf2() throws Exception {
        String dump = ok("cryptsetup", "luksDump", luksPartition().toString());
        assertTrue(dump.matches("(?s).*Version:\\s+2\\b.*"), dump);
        assertTrue(dump.contains("cipher: aes-xts-plain64"), dump);
        assertTrue(dump.contains("Cipher key: 512 bits"), dump);
        assertTrue(dump.contains("PBKDF:      pbkdf2"), dump);
        assertTrue(dump.contains(summary.get("luksUuid").asText()), "the summary names the container's UUID");
    }

    @Test
    void encrypt_sampleGuest_rightKeyOpensWrongKeyFails() throws Exception {
        Path p = luksPartition();
        assertEquals(0, Tools.run("cryptsetup", "open", "--test-passphrase", "--key-file", key.toString(),
                p.toString()).exit());
        Path wrong = dir.resolve("wrong.key");
        byte[] w = Files.readAllBytes(key);
        w[0] ^= 1;
        Files.write(wrong, w);
        assertNotEquals(0, Tools.run("cryptsetup", "open", "--test-passphrase", "--key-file", wrong.toString(),
                p.toString()).exit());
    }

    @Test
    void encrypt_sampleGuest_dumpedVolumeKeyDecryptsToOriginalRootBlockForBlock() throws Exception {
        Path p = luksPartition();
        byte[] vk = CliRun.dumpVolumeKey(p, key);
        long rootOffset = SampleGuest.ROOT_FIRST_LBA * 512L;
        CliRun.assertDecryptsTo(p, LUKS_HEADER, vk, inputRaw, rootOffset, SampleGuest.ROOT_BYTES);
        Path fs = dir.resolve("root-decrypted.ext4");
        try (var ch = java.nio.channels.FileChannel.open(p)) {
            byte[] all = CliRun.read(ch, LUKS_HEADER, (int) SampleGuest.ROOT_BYTES);
            dev.cvmfde.imagebuilder.luks.ReferenceXts.decryptPayload(vk, all, 512, 0);
            Files.write(fs, all);
        }
        String fstab = ok("debugfs", "-R", "cat /etc/fstab", fs.toString());
        assertTrue(fstab.contains("UUID=" + SampleGuest.ROOT_FS_UUID), "fstab read by debugfs: " + fstab);
        assertTrue(ok("debugfs", "-R", "stats", fs.toString()).contains(SampleGuest.ROOT_FS_UUID));
    }

    @Test
    void encrypt_sampleGuest_grubCfgBootsEncryptedRoot() throws Exception {
        String cfg = Files.readString(extractedBoot().resolve("grub/grub.cfg"));
        String linux = cfg.lines().filter(l -> l.strip().startsWith("linux ")).findFirst().orElseThrow();
        assertTrue(linux.contains(" root=/dev/mapper/encroot "), linux);
        assertTrue(!linux.contains("root=UUID="), linux);
        assertTrue(linux.contains("rd.neednet=1") && linux.contains("ip=dhcp"), linux);
        assertEquals(linux.strip().substring(linux.strip().indexOf(' ', 6) + 1), summary.get("cmdline").asText());
        // no shell, ever: pinned in the baseline's cmdline, so the verifier refuses a boot without them
        assertTrue(summary.get("cmdline").asText().endsWith(" rd.shell=0 rd.emergency=poweroff"), summary.toString());
    }

    @Test
    void encrypt_sampleGuest_initramfsIsOriginalPlusPaddedOverlayCpio() throws Exception {
        Map<String, byte[]> files = overlayFiles();
        String agentJson = new String(files.get("etc/cvm-fde/agent.json"), StandardCharsets.UTF_8);
        assertTrue(agentJson.contains(summary.get("luksUuid").asText()), agentJson);
        assertTrue(agentJson.contains("test-image-1"), agentJson);
        assertArrayEquals(Files.readAllBytes(verifierKey), files.get("etc/cvm-fde/verifier.pub.pem"));
        assertTrue(files.containsKey("usr/lib/cvm-fde/runtime/bin/fde-agent"), files.keySet().toString());
        assertTrue(files.keySet().stream().anyMatch(f -> f.startsWith("usr/lib/dracut/hooks/initqueue/online/")));
    }

    @Test
    void encrypt_aarch64AndX86_64Runtimes_picksTheX86_64OneForTheSampleGuestAndSaysSo() throws Exception {
        String kernel = "/vmlinuz-" + kernelVersion();
        assertTrue(stderr.contains("image-builder: agent runtime " + runtime + "/ (x86_64) for kernel " + kernel
                + " (x86_64)\n"), stderr);
        assertEquals(runtime.toString(), summary.get("agentRuntime").asText());
        assertEquals("x86_64", summary.get("agentRuntimeArch").asText());
        String release = new String(overlayFiles().get("usr/lib/cvm-fde/runtime/release"), StandardCharsets.UTF_8);
        assertTrue(release.contains("OS_ARCH=\"x86_64\""), "the x86_64 runtime went into the initramfs: " + release);
    }

    /**
     * The agent.json the builder wrote pins the header the builder wrote: the agent's own
     * validation accepts the LUKS partition, cryptsetup luksDump shows the same shape, and the
     * volume key cryptsetup dumps with the key file has the recorded fingerprint.
     */
    @Test
    void encrypt_sampleGuest_agentJsonPinsTheWrittenHeaderAndVolumeKey() throws Exception {
        Path file = Files.write(dir.resolve("agent-from-overlay.json"), overlayFiles().get("etc/cvm-fde/agent.json"));
        dev.cvmfde.agent.config.AgentConfig config = dev.cvmfde.agent.config.AgentConfigLoader.readFile(file);
        String written = Files.readString(file);
        dev.cvmfde.agent.luks.LuksHeaderPin pin = config.luksHeader().orElseThrow(
                () -> new AssertionError("agent.json records no luksHeader: " + written));
        Path p = luksPartition();

        dev.cvmfde.agent.luks.ValidatedHeader header = dev.cvmfde.agent.luks.LuksHeaderCheck.read(p, config.luksUuid(), pin);
        String dump = ok("cryptsetup", "luksDump", p.toString());
        assertTrue(dump.contains("offset: " + pin.segmentOffset() + " [bytes]"), dump);
        assertTrue(dump.contains("sector: " + pin.sectorSize() + " [bytes]"), dump);
        assertTrue(dump.contains("cipher: " + pin.segmentEncryption()), dump);
        assertTrue(dump.matches("(?s).*PBKDF:\\s+" + pin.kdf().get("type") + ".*Hash:\\s+" + pin.kdf().get("hash")
                + ".*Iterations:\\s+" + pin.kdf().get("iterations") + "\\b.*"), dump);
        assertTrue(dump.matches("(?s).*AF hash:\\s+" + pin.afHash() + "\\b.*"), dump);
        assertTrue(dev.cvmfde.agent.luks.VolumeKeyFingerprint.matches(CliRun.dumpVolumeKey(p, key), pin.volumeKeyFingerprint()),
                "the recorded fingerprint is the dumped volume key's");

        // the agent's own host-mode check: luksDump --dump-volume-key of the validated copy, fingerprint compared
        Path copy = header.writeCopy(dir.resolve("run"));
        try {
            assertTrue(new dev.cvmfde.agent.unlock.VolumeKeyCheck(java.time.Duration.ofSeconds(60))
                    .dump(copy, Files.readAllBytes(key), pin) instanceof dev.cvmfde.agent.unlock.UnlockResult.Opened);
        } finally {
            dev.cvmfde.agent.luks.ValidatedHeader.deleteCopy(copy);
        }
    }

    @Test
    void encrypt_sampleGuest_hashJsonEqualsIndependentMeasurementOfWrittenBoot() throws Exception {
        Baseline written = HashJson.read(Path.of(summary.get("hashJson").asText()));
        Baseline measured = BootMeasurer.measure(extractedBoot(), List.of(), DigestAlgorithm.SHA256, false);
        assertEquals(measured.grub(), written.grub());
        assertEquals(measured.grubCfg(), written.grubCfg());
        assertEquals(measured.kernels().getFirst().kernel(), written.kernels().getFirst().kernel());
        assertEquals(measured.kernels().getFirst().initramfs(), written.kernels().getFirst().initramfs());
        assertEquals(Baseline.Form.FLAT, written.form(), "same form as the input baseline");
        assertEquals(summary.get("cmdline").asText(), written.extraFields().get("cmdline").asText());
        String cli = ok(Path.of("..").toAbsolutePath().normalize().resolve("bin/reference-values").toString(),
                "measure", "--boot-dir", extractedBoot().toString());
        Baseline viaCli = HashJson.parse(cli.substring(cli.indexOf('{')).getBytes(StandardCharsets.UTF_8));
        assertEquals(viaCli.grubCfg(), written.grubCfg());
        assertEquals(viaCli.kernels().getFirst().initramfs(), written.kernels().getFirst().initramfs());
    }

    @Test
    void encrypt_sampleGuest_predictedEventLogOnBootPartitionAndBeside() throws Exception {
        byte[] beside = Files.readAllBytes(Path.of(summary.get("eventLog").asText()));
        assertArrayEquals(beside, Files.readAllBytes(extractedBoot().resolve("cvm-fde/simulated-ccel.bin")));
        JsonNode rems = new ObjectMapper().readTree(Path.of(summary.get("rems").asText()).toFile());
        assertEquals(4, rems.get("rems").size());
        String replay = ok(Path.of("..").toAbsolutePath().normalize().resolve("bin/reference-values").toString(),
                "compare", "--event-log", summary.get("eventLog").asText(), "--ccel", "--hash-json",
                summary.get("hashJson").asText());
        assertTrue(!replay.isBlank());
    }

    @Test
    void encrypt_sampleGuest_inputUnchangedNoScratchLeft() throws Exception {
        assertEquals(inputSha, Tools.sha256(input), "input modified");
        assertEquals(List.of("encrypted.qcow2", "encrypted.qcow2.ccel", "encrypted.qcow2.hash.json",
                "encrypted.qcow2.hash.json.jws", "encrypted.qcow2.rems.json"), CliRun.listing(output.getParent()));
    }

    @Test
    void encrypt_realProviderWithoutRim_notSimulatedNoRimAndSummarySaysSo() throws Exception {
        Baseline written = HashJson.read(Path.of(summary.get("hashJson").asText()));
        assertTrue(!written.extraFields().containsKey("simulated"), "a real image's hash.json has no simulated marker");
        assertTrue(!written.extraFields().containsKey("rim"));
        assertEquals(false, summary.get("simulated").asBoolean());
        assertEquals(dir.resolve("build.pub.jwk").toString(), summary.get("baselineSigner").asText());
    }

    @Test
    void encrypt_simulatedProviderNoSignWith_warnsMarksSimulatedWritesSimulatedRimAndSignsWithNewBuildKey()
            throws Exception {
        Path runtime = fakeRuntime(dir.resolve("runtime-sim"));
        Path baseline = dir.resolve("hash.json");
        Path out = Files.createDirectories(dir.resolve("out-sim")).resolve("sim.qcow2");
        CliRun.Result r = CliRun.ok("encrypt", "--input", input.toString(), "--baseline", baseline.toString(),
                "--key-file", key.toString(), "--verifier-key", verifierKey.toString(), "--agent-runtime",
                runtime.toString(), "--output", out.toString(), "--provider", "simulated", "--kdf", "pbkdf2",
                "--json");
        JsonNode sim = new ObjectMapper().readTree(r.out());

        assertTrue(r.err().contains("WARNING: --provider simulated"), r.err());
        assertTrue(!r.err().contains("agent runtime"), "one runtime given, nothing chosen: " + r.err());
        assertEquals(runtime.toString(), sim.get("agentRuntime").asText());
        byte[] hash = Files.readAllBytes(Path.of(sim.get("hashJson").asText()));
        Baseline written = HashJson.parse(hash);
        assertEquals(true, written.extraFields().get("simulated").booleanValue());
        // the RIM the simulated TEE reports for a predicted log without index-0 events
        String rim = java.util.HexFormat.of().formatHex(dev.cvmfde.protocol.token.SimulatedTee.rim(new byte[32]));
        assertEquals(rim, written.extraFields().get("rim").asText());
        // no --sign-with: the build key under $XDG_CONFIG_HOME/cvm-fde/ (the pom points it into target/)
        Path pub = Path.of(sim.get("baselineSigner").asText());
        assertTrue(pub.startsWith(Path.of(System.getenv("XDG_CONFIG_HOME"))), pub.toString());
        com.nimbusds.jose.jwk.ECKey signerPub = com.nimbusds.jose.jwk.ECKey.parse(Files.readString(pub));
        String jws = Files.readString(Path.of(sim.get("hashJsonSignature").asText()));
        assertTrue(dev.cvmfde.protocol.baseline.BaselineSignature.verify(hash, jws, signerPub).isValid());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                pub.resolveSibling("baseline-signing.jwk"))));
    }

    @Test
    void encrypt_signWith_detachedJwsVerifiesOverExactHashJsonAndNotOverAnEdit() throws Exception {
        byte[] hash = Files.readAllBytes(Path.of(summary.get("hashJson").asText()));
        String jws = Files.readString(Path.of(summary.get("hashJsonSignature").asText()));
        assertTrue(dev.cvmfde.protocol.baseline.BaselineSignature.verify(hash, jws, signer.toPublicJWK()).isValid());
        byte[] edited = hash.clone();
        edited[edited.length / 2] ^= 1;
        assertTrue(!dev.cvmfde.protocol.baseline.BaselineSignature.verify(edited, jws, signer.toPublicJWK()).isValid());
    }

    /** The overlay cpio appended to the original initramfs, by name (asserting the prefix, padding and owners). */
    private Map<String, byte[]> overlayFiles() throws Exception {
        String name = "initrd.img-" + kernelVersion();
        byte[] before = Files.readAllBytes(dir.resolve("boot-in").resolve(name));
        byte[] after = Files.readAllBytes(extractedBoot().resolve(name));
        assertArrayEquals(before, Arrays.copyOf(after, before.length), "the original initramfs is kept as a prefix");
        int start = (before.length + 3) / 4 * 4;
        for (int i = before.length; i < start; i++) {
            assertEquals(0, after[i], "padding to 4 bytes is zeros");
        }
        Map<String, byte[]> files = new HashMap<>();
        try (CpioArchiveInputStream cpio = new CpioArchiveInputStream(new ByteArrayInputStream(after, start,
                after.length - start))) {
            for (CpioArchiveEntry e; (e = cpio.getNextCPIOEntry()) != null;) {
                files.put(e.getName(), cpio.readAllBytes());
                assertEquals(0, e.getUID());
            }
        }
        return files;
    }

    private Path luksPartition() throws Exception {
        Path p = dir.resolve("p2.luks");
        if (!Files.exists(p)) {
            CliRun.slice(outputRaw, SampleGuest.ROOT_FIRST_LBA * 512L, SampleGuest.ROOT_BYTES + LUKS_HEADER, p);
        }
        return p;
    }

    private Path extractedBoot() throws Exception {
        Path d = dir.resolve("boot-out");
        if (!Files.exists(d)) {
            extractBootTo(outputRaw, d);
        }
        return d;
    }

    private String kernelVersion() throws Exception {
        try (var s = Files.list(dir.resolve("boot-in"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("vmlinuz-")).findFirst()
                    .orElseThrow().substring("vmlinuz-".length());
        }
    }

    static Path extractBoot(Path raw, Path target) throws Exception {
        extractBootTo(raw, target);
        return target;
    }

    private static void extractBootTo(Path raw, Path target) throws Exception {
        Tools.Result r = Tools.run("env", "MTOOLS_SKIP_CHECK=1", "mcopy", "-s", "-n", "-m", "-i",
                raw + "@@" + SampleGuest.BOOT_FIRST_LBA * 512L, "::/", target.toString());
        assertEquals(0, r.exit(), r.out());
    }

    static Path writeVerifierKey(Path file) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(g.generateKeyPair().getPublic().getEncoded());
        return Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n");
    }

    /**
     * A stand-in for tools/guest-runtime's output for the sample guest's x86_64 kernel: what the
     * overlay needs is an executable bin/fde-agent, and image-builder the jlink release file's OS_ARCH.
     */
    static Path fakeRuntime(Path dir) throws Exception {
        return fakeRuntime(dir, "x86_64");
    }

    /** {@link #fakeRuntime(Path)} for {@code osArch} ({@code x86_64}, {@code aarch64}). */
    static Path fakeRuntime(Path dir, String osArch) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path agent = Files.writeString(bin.resolve("fde-agent"), "#!/bin/sh\necho test runtime stand-in\n");
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("release"), "JAVA_VERSION=\"25\"\nMODULES=\"java.base\"\nOS_ARCH=\"" + osArch + "\"\n");
        return dir;
    }
}
