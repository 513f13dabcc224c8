package dev.cvmfde.client.release;

import dev.cvmfde.protocol.release.PinnedVerifierKey;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventLogWriter;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.HashJson;
import dev.cvmfde.refvalues.hashjson.KernelEntry;
import dev.cvmfde.refvalues.predict.BootChain;
import dev.cvmfde.refvalues.predict.EventLogPredictor;
import dev.cvmfde.refvalues.predict.MeasuredFile;
import dev.cvmfde.server.AttestationServer;
import dev.cvmfde.server.ConnectionLimits;
import dev.cvmfde.server.RunningServer;
import dev.cvmfde.server.ServerConfig;
import dev.cvmfde.server.UnlockOutcome;
import dev.cvmfde.server.VerifierTrust;
import dev.cvmfde.server.provider.simulated.SimulatedIdentity;
import dev.cvmfde.server.provider.simulated.SimulatedProvider;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A simulated guest and the host's files, all real: a simulated identity exported to disk (the
 * guest's private keys in one directory, the host's anchor in another), a predicted CCEL log and
 * the hash.json it matches (and one it does not), both as image-builder writes them (signed by
 * the builder's key beside them as {@code .jws}, with the simulated RIM and {@code "simulated":
 * true}), the verifier key pair, and key files in both forms. {@link #startServer} runs the real {@link AttestationServer} with
 * the real simulated provider on 127.0.0.1; its sink records what it was given (test only).
 */
public final class GuestFixture {
    static final String CMDLINE = "root=/dev/mapper/encroot ro console=ttyAMA0";
    public static final SecureRandom RANDOM = new SecureRandom();

    public final Path dir;
    public final Path identityDir;
    public final Path anchor;
    public final Path baselineSigner;
    public final com.nimbusds.jose.jwk.ECKey builderKey;
    public final Path eventLog;
    public final Path hashJson;
    public final Path wrongHashJson;
    public final Path signingKey;
    public final Path pinned;
    public final Path rawKey;
    public final Path base64Key;
    public final List<byte[]> received = Collections.synchronizedList(new ArrayList<>());

    public GuestFixture(Path dir) throws Exception {
        this.dir = dir;
        identityDir = dir.resolve("sim");
        Path anchorDir = dir.resolve("sim-anchor");
        SimulatedIdentity.generate().export(identityDir, anchorDir);
        anchor = anchorDir.resolve(SimulatedIdentity.CPAK_PUBLIC_PEM);
        BootChain chain = chain("kernel 6.6.0");
        eventLog = dir.resolve("ccel.bin");
        Files.write(eventLog, EventLogWriter.toBytes(EventLogPredictor.predict(chain)));
        builderKey = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).generate();
        baselineSigner = Files.writeString(dir.resolve("builder.pub.jwk"), builderKey.toPublicJWK().toJSONString());
        hashJson = signed(dir.resolve("hash.json"), HashJson.toBytes(baseline(chain)));
        wrongHashJson = signed(dir.resolve("wrong-hash.json"), HashJson.toBytes(baseline(chain("another kernel"))));
        var key = VerifierKeys.generate();
        signingKey = dir.resolve("verifier.jwk");
        VerifierKeys.writePrivateJwk(key, signingKey);
        pinned = dir.resolve("verifier.pub.pem");
        VerifierKeys.writePublicPem(key.toPublicJWK(), pinned);
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        raw[0] = 0; // certainly not text: read as the raw form
        rawKey = Files.write(dir.resolve("rootfs.key"), raw);
        byte[] dek = new byte[32];
        RANDOM.nextBytes(dek);
        base64Key = Files.writeString(dir.resolve("dek.b64"), Base64.getEncoder().encodeToString(dek),
                StandardCharsets.US_ASCII);
        // key files are refused unless only their owner can read them (as ssh does)
        Files.setPosixFilePermissions(rawKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(base64Key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    /** Writes {@code json} and its detached signature by the builder key ({@code FILE.jws}). */
    private Path signed(Path file, byte[] json) throws Exception {
        Files.writeString(file.resolveSibling(file.getFileName() + ".jws"),
                dev.cvmfde.protocol.baseline.BaselineSignature.sign(json, builderKey));
        return Files.write(file, json);
    }

    /** {@link #hashJson} with its signature, as the verifier reads it. */
    dev.cvmfde.client.verify.ReferenceBaseline signedBaseline() throws Exception {
        byte[] json = Files.readAllBytes(hashJson);
        return dev.cvmfde.client.verify.ReferenceBaseline.signed(json,
                Optional.of(Files.readString(hashJson.resolveSibling("hash.json.jws"))), builderKey.toPublicJWK());
    }

    static Digest sha256(String s) {
        return Digest.of(DigestAlgorithm.SHA256, s.getBytes(StandardCharsets.UTF_8));
    }

    static BootChain chain(String kernel) {
        return new BootChain(sha256("grubaa64.efi"), new MeasuredFile("/grub/grub.cfg", sha256("grub.cfg")),
                List.of("set root=(hd0,gpt1)"), new MeasuredFile("/vmlinuz-6.6.0", sha256(kernel)), CMDLINE,
                new MeasuredFile("/initramfs-6.6.0.img", sha256("initramfs")));
    }

    static Baseline baseline(BootChain chain) {
        KernelEntry k = new KernelEntry(Optional.empty(), chain.kernel().digest(), chain.initramfs().digest(), Map.of());
        // what image-builder encrypt --provider simulated writes: the simulated TEE's RIM for a log
        // without index-0 events, and the simulated marker
        String rim = java.util.HexFormat.of().formatHex(dev.cvmfde.protocol.token.SimulatedTee.rim(new byte[32]));
        return new Baseline(DigestAlgorithm.SHA256, chain.grubImage(), chain.grubCfg().digest(), List.of(k),
                Baseline.Form.FLAT, Map.of("cmdline", com.fasterxml.jackson.databind.node.TextNode.valueOf(CMDLINE),
                        "rim", com.fasterxml.jackson.databind.node.TextNode.valueOf(rim),
                        "simulated", com.fasterxml.jackson.databind.node.BooleanNode.TRUE));
    }

    /** The real server, simulated provider with this fixture's identity and event log; the sink unlocks. */
    RunningServer startServer() throws Exception {
        return startServer(UnlockOutcome.unlocked("test sink: key received"));
    }

    RunningServer startServer(UnlockOutcome outcome) throws Exception {
        return startServer(outcome, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    RunningServer startServerAt(InetSocketAddress bind) throws Exception {
        return startServer(UnlockOutcome.unlocked("test sink: key received"), bind);
    }

    RunningServer startServer(UnlockOutcome outcome, InetSocketAddress bind) throws Exception {
        return startServer(provider(), outcome, bind);
    }


    /** The real server whose simulated provider sends no event log with its evidence. */
    RunningServer startServerWithoutEventLog() throws Exception {
        return startServer(new SimulatedProvider(SimulatedIdentity.load(identityDir), Optional.empty(),
                new PrintStream(OutputStream.nullOutputStream())), UnlockOutcome.unlocked("test sink: key received"),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    /** A simulated TEE with this fixture's identity and event log (one per guest boot). */
    public SimulatedProvider provider() throws Exception {
        return new SimulatedProvider(SimulatedIdentity.load(identityDir), Optional.of(Files.readAllBytes(eventLog)),
                new PrintStream(OutputStream.nullOutputStream()));
    }

    /** The real server on 127.0.0.1 over {@code provider} (the same TEE may serve several servers in turn). */
    RunningServer startServer(SimulatedProvider provider) throws Exception {
        return startServer(provider, UnlockOutcome.unlocked("test sink: key received"),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    private RunningServer startServer(SimulatedProvider provider, UnlockOutcome outcome, InetSocketAddress bind)
            throws Exception {
        ServerConfig config = ServerConfig.of(bind, provider,
                VerifierTrust.pinned(PinnedVerifierKey.read(pinned)), key -> {
                    received.add(key.copy());
                    return outcome;
                }).withReadTimeout(Duration.ofSeconds(30))
                .withLimits(ConnectionLimits.defaults().withEvidenceRequestsPerSecond(1000)
                        .withEvidenceRequestsPerSecondPerSource(1000));
        return AttestationServer.start(config);
    }

    /** The release command's arguments against {@code guest}. */
    List<String> releaseArgs(InetSocketAddress guest, Path baseline, Path keyFile, String... extra) {
        List<String> a = new ArrayList<>(List.of("release", "--server", "127.0.0.1:" + guest.getPort(),
                "--baseline", baseline.toString(), "--baseline-signer", baselineSigner.toString(),
                "--key-file", keyFile.toString(), "--simulated-anchor", anchor.toString(),
                "--signing-key", signingKey.toString(), "--timeout", "10"));
        a.addAll(List.of(extra));
        return a;
    }
}
