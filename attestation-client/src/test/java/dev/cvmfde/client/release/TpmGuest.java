package dev.cvmfde.client.release;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.cvmfde.client.verify.ReferenceBaseline;
import dev.cvmfde.client.verify.TrustAnchor;
import dev.cvmfde.protocol.release.PinnedVerifierKey;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.protocol.tpm.Swtpm;
import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventDigest;
import dev.cvmfde.refvalues.eventlog.EventLog;
import dev.cvmfde.refvalues.eventlog.EventLogHeader;
import dev.cvmfde.refvalues.eventlog.EventLogWriter;
import dev.cvmfde.refvalues.eventlog.EventType;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.eventlog.SpecIdEvent;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.HashJson;
import dev.cvmfde.refvalues.hashjson.KernelEntry;
import dev.cvmfde.refvalues.predict.BootChain;
import dev.cvmfde.refvalues.predict.EventLogPredictor;
import dev.cvmfde.refvalues.predict.MeasuredFile;
import dev.cvmfde.refvalues.replay.Registers;
import dev.cvmfde.refvalues.replay.Replayer;
import dev.cvmfde.server.AttestationServer;
import dev.cvmfde.server.ConnectionLimits;
import dev.cvmfde.server.RunningServer;
import dev.cvmfde.server.ServerConfig;
import dev.cvmfde.server.UnlockOutcome;
import dev.cvmfde.server.VerifierTrust;
import dev.cvmfde.server.provider.EvidenceProvider;
import dev.cvmfde.server.provider.tpm.Tpm;
import dev.cvmfde.server.provider.tpm.TpmProvider;
import dev.cvmfde.server.provider.tpm.TpmTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A guest with a real TPM: swtpm manufactured with an EK certificate from its own local CA, a
 * realistic TCG2 event log (firmware events on PCRs 0–7, grub on PCR 4, grub's strings on PCR 8
 * and files on PCR 9) whose digests are extended into that swtpm with the project's TPM codec,
 * the signed hash.json with the golden firmware PCRs ({@code "tpm"}) and {@code cmdline}, and the
 * verifier key pair. {@link #startServer} runs the real attestation server with the real tpm
 * provider on 127.0.0.1.
 */
final class TpmGuest implements AutoCloseable {
    static final String CMDLINE = "root=/dev/mapper/encroot ro console=ttyS0";

    final Path dir;
    final Swtpm swtpm;
    final Path eventLog;
    final List<LogEvent> events;
    final com.nimbusds.jose.jwk.ECKey builderKey;
    final Path hashJson;
    final Path baselineSigner;
    final Path signingKey;
    final Path pinned;
    final Path keyFile;
    final List<byte[]> received = Collections.synchronizedList(new ArrayList<>());

    /** A TPM that measured the boot of {@code kernel} (the baseline always names "kernel 6.6.0"). */
    TpmGuest(Path dir, String kernel) throws Exception {
        this.dir = Files.createDirectories(dir);
        swtpm = Swtpm.start(dir.resolve("swtpm"));
        events = boot(kernel);
        eventLog = write(dir.resolve("binary_bios_measurements"), events);
        try (Tpm tpm = new Tpm(TpmTransport.open(swtpm.device()))) {
            for (LogEvent e : events) {
                if (e.type() != EventType.EV_NO_ACTION) {
                    tpm.pcrExtend(e.index(), e.digest(DigestAlgorithm.SHA256).orElseThrow().value());
                }
            }
        }
        builderKey = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).generate();
        baselineSigner = Files.writeString(dir.resolve("builder.pub.jwk"), builderKey.toPublicJWK().toJSONString());
        hashJson = dir.resolve("hash.json");
        writeSigned(hashJson, baseline(boot("kernel 6.6.0"), true));
        var key = VerifierKeys.generate();
        signingKey = dir.resolve("verifier.jwk");
        VerifierKeys.writePrivateJwk(key, signingKey);
        pinned = dir.resolve("verifier.pub.pem");
        VerifierKeys.writePublicPem(key.toPublicJWK(), pinned);
        byte[] raw = new byte[32];
        GuestFixture.RANDOM.nextBytes(raw);
        raw[0] = 0;
        keyFile = Files.write(dir.resolve("rootfs.key"), raw);
        Files.setPosixFilePermissions(keyFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    static BootChain chain(String kernel) {
        return new BootChain(GuestFixture.sha256("grubx64.efi"), new MeasuredFile("/grub/grub.cfg",
                GuestFixture.sha256("grub.cfg")), List.of("set root=(hd0,gpt1)"),
                new MeasuredFile("/vmlinuz-6.6.0", GuestFixture.sha256(kernel)), CMDLINE,
                new MeasuredFile("/initramfs-6.6.0.img", GuestFixture.sha256("initramfs")));
    }

    /** What OVMF and grub log for this boot, PCR-indexed as in a TPM log. */
    static List<LogEvent> boot(String kernel) {
        List<LogEvent> out = new ArrayList<>();
        out.add(event(0, EventType.EV_S_CRTM_VERSION, "OVMF test firmware 1.0\0".getBytes(
                StandardCharsets.UTF_16LE)));
        // UEFI_PLATFORM_FIRMWARE_BLOB: base and length (little endian)
        out.add(event(0, EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB, java.nio.ByteBuffer.allocate(16)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0x820000L).putLong(0xE0000L).array()));
        out.add(event(1, EventType.EV_EFI_VARIABLE_BOOT, uefiVariable("BootOrder", new byte[] {1, 0})));
        out.add(event(7, EventType.EV_EFI_VARIABLE_DRIVER_CONFIG, uefiVariable("SecureBoot", new byte[] {0})));
        out.add(event(4, EventType.EV_EFI_ACTION, "Calling EFI Application from Boot Option".getBytes(
                StandardCharsets.US_ASCII)));
        for (int pcr = 0; pcr <= 7; pcr++) {
            out.add(new LogEvent(pcr, EventType.EV_SEPARATOR, List.of(EventDigest.of(Digest.of(DigestAlgorithm.SHA256,
                    new byte[4]))), new byte[4]));
        }
        for (LogEvent e : EventLogPredictor.predictEvents(chain(kernel))) {
            // the predictor writes CC MR indices; grub on a TPM: the image on PCR 4, strings on 8, files on 9
            int pcr = e.index() == EventLogPredictor.MR_BOOT_APPLICATIONS ? 4
                    : e.dataAsText().startsWith("grub_cmd: ") || e.dataAsText().startsWith("kernel_cmdline: ") ? 8 : 9;
            out.add(new LogEvent(pcr, e.type(), e.digests(), e.data()));
        }
        return out;
    }

    private static LogEvent event(int pcr, int type, byte[] data) {
        return new LogEvent(pcr, type, List.of(EventDigest.of(Digest.of(DigestAlgorithm.SHA256, data))), data);
    }

    /** UEFI_VARIABLE_DATA of an EFI global variable (GUID 8be4df61-93ca-11d2-aa0d-00e098032b8c). */
    private static byte[] uefiVariable(String name, byte[] value) {
        byte[] guid = HexFormat.of().parseHex("61dfe48bca93d211aa0d00e098032b8c");
        byte[] unicode = name.getBytes(StandardCharsets.UTF_16LE);
        return java.nio.ByteBuffer.allocate(16 + 8 + 8 + unicode.length + value.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).put(guid).putLong(name.length()).putLong(value.length)
                .put(unicode).put(value).array();
    }

    static Path write(Path file, List<LogEvent> events) throws Exception {
        return Files.write(file, EventLogWriter.toBytes(new EventLog(LogFormat.TCG2,
                new EventLogHeader(0, SpecIdEvent.of(List.of(DigestAlgorithm.SHA256))), events)));
    }

    /** hash.json for {@code events}' boot; with the golden firmware PCRs when {@code firmware}. */
    static byte[] baseline(List<LogEvent> events, boolean firmware) throws Exception {
        BootChain c = chain("kernel 6.6.0");
        KernelEntry k = new KernelEntry(Optional.empty(), c.kernel().digest(), c.initramfs().digest(), Map.of());
        Map<String, com.fasterxml.jackson.databind.JsonNode> extra = new java.util.HashMap<>();
        extra.put("cmdline", TextNode.valueOf(CMDLINE));
        if (firmware) {
            Registers r = Replayer.replay(events, LogFormat.TCG2, DigestAlgorithm.SHA256);
            ObjectNode tpm = JsonNodeFactory.instance.objectNode();
            tpm.put("pcr_bank", "sha256");
            ObjectNode pcrs = tpm.putObject("firmware_pcrs");
            for (int pcr : List.of(0, 1, 2, 3, 7)) {
                pcrs.put(Integer.toString(pcr), HexFormat.of().formatHex(r.get(pcr).value()));
            }
            tpm.put("source", "golden boot: test firmware");
            extra.put("tpm", tpm);
        }
        return HashJson.toBytes(new Baseline(DigestAlgorithm.SHA256, c.grubImage(), c.grubCfg().digest(), List.of(k),
                Baseline.Form.FLAT, extra));
    }

    void writeSigned(Path file, byte[] json) throws Exception {
        Files.writeString(file.resolveSibling(file.getFileName() + ".jws"),
                dev.cvmfde.protocol.baseline.BaselineSignature.sign(json, builderKey));
        Files.write(file, json);
    }

    ReferenceBaseline signedBaseline() throws Exception {
        return signedBaseline(hashJson);
    }

    ReferenceBaseline signedBaseline(Path file) throws Exception {
        return ReferenceBaseline.signed(Files.readAllBytes(file),
                Optional.of(Files.readString(file.resolveSibling(file.getFileName() + ".jws"))), builderKey.toPublicJWK());
    }

    TrustAnchor ekRoot() throws Exception {
        return TrustAnchor.loadTpmEkRoot(swtpm.ekRoot());
    }

    TpmProvider provider() {
        return new TpmProvider(swtpm.device(), eventLog);
    }

    RunningServer startServer() throws Exception {
        return startServer(provider());
    }

    RunningServer startServer(EvidenceProvider provider) throws Exception {
        ServerConfig config = ServerConfig.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), provider,
                VerifierTrust.pinned(PinnedVerifierKey.read(pinned)), key -> {
                    received.add(key.copy());
                    return UnlockOutcome.unlocked("test sink: key received");
                }).withReadTimeout(Duration.ofSeconds(30))
                .withLimits(ConnectionLimits.defaults().withEvidenceRequestsPerSecond(1000)
                        .withEvidenceRequestsPerSecondPerSource(1000));
        return AttestationServer.start(config);
    }

    /** The release command's arguments against {@code guest}. */
    List<String> releaseArgs(InetSocketAddress guest, String... extra) {
        List<String> a = new ArrayList<>(List.of("release", "--server", "127.0.0.1:" + guest.getPort(),
                "--baseline", hashJson.toString(), "--baseline-signer", baselineSigner.toString(),
                "--key-file", keyFile.toString(), "--tpm-ek-root", swtpm.ekRoot().toString(),
                "--signing-key", signingKey.toString(), "--timeout", "20"));
        a.addAll(List.of(extra));
        return a;
    }

    @Override
    public void close() throws Exception {
        swtpm.close();
    }
}
