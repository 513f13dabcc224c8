package dev.cvmfde.agent.selftest;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.agent.config.AgentConfig;
import dev.cvmfde.agent.config.AgentConfigLoader;
import dev.cvmfde.agent.config.KernelCmdline;
import dev.cvmfde.agent.config.internal.ConfigJson;
import dev.cvmfde.agent.console.AgentConsole;
import dev.cvmfde.agent.console.StartupTrace;
import dev.cvmfde.agent.luks.LuksHeaderCheck;
import dev.cvmfde.agent.luks.LuksVolumes;
import dev.cvmfde.agent.luks.ValidatedHeader;
import dev.cvmfde.agent.net.NetworkWait;
import dev.cvmfde.agent.net.SystemAddresses;
import dev.cvmfde.protocol.release.PinnedVerifierKey;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.Ack;
import dev.cvmfde.server.AttestationServer;
import dev.cvmfde.server.RunningServer;
import dev.cvmfde.server.ServerConfig;
import dev.cvmfde.server.ServerOutcome;
import dev.cvmfde.server.UnlockOutcome;
import dev.cvmfde.server.VerifierTrust;
import dev.cvmfde.server.provider.EvidenceProviders;
import dev.cvmfde.server.provider.ProviderOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The agent's code path without a disk or a network: configuration and kernel command line
 * read from files, the pinned key read from PEM, the tsm provider made, the root found by its
 * LUKS UUID among fake block devices (all in a temporary directory) and its LUKS2 header
 * validated, address enumeration, the
 * attestation server on 127.0.0.1 with the simulated provider, one full
 * exchange with a throwaway verifier key, and the key reaching the sink. Used as the AOT
 * training run of the guest runtime and as a smoke test of a built runtime.
 */
public final class SelfTest {
    private static final Duration AWAIT = Duration.ofSeconds(30);
    private static final String SAMPLE_UUID = "0c0ffee0-0000-4000-8000-000000000001";

    private SelfTest() {
    }

    /** Runs the exchange; throws when any step fails. Returns the time from start to listening. */
    public static Duration run(AgentConsole console) throws Exception {
        long t0 = System.nanoTime();
        LoopbackVerifier verifier = LoopbackVerifier.withThrowawayKey();
        ECKey pinned = verifier.publicKey();
        Path dir = Files.createTempDirectory("cvmfde-self-test");
        try {
            bootSteps(dir, pinned);
        } finally {
            deleteTree(dir);
        }
        NetworkWait.current(new SystemAddresses(), Optional.empty());
        StartupTrace.mark("config");
        byte[] keyBytes = new byte[64];
        new SecureRandom().nextBytes(keyBytes);
        try (SecretBytes key = SecretBytes.takeOwnership(keyBytes)) {
            ServerConfig config = ServerConfig.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    EvidenceProviders.byName("simulated", ProviderOptions.defaults()),
                    VerifierTrust.pinned(new PinnedVerifierKey(pinned)),
                    received -> received.sameAs(key) ? UnlockOutcome.unlocked("self-test key matched")
                            : UnlockOutcome.failed("self-test key differs"));
            StartupTrace.mark("server-config");
            try (RunningServer server = AttestationServer.start(config)) {
                StartupTrace.mark("listening");
                Duration toListening = Duration.ofNanos(System.nanoTime() - t0);
                console.say("self-test: listening on " + server.localAddress() + " after " + toListening.toMillis()
                        + " ms in main (epoch-ms " + System.currentTimeMillis() + ")");
                Ack ack = verifier.release(server.localAddress(), key);
                if (!ack.unlocked()) {
                    throw new IllegalStateException("self-test: the agent did not accept the key: " + ack.detail());
                }
                Optional<ServerOutcome> outcome = server.awaitUnlocked(AWAIT);
                if (outcome.isEmpty() || !(outcome.get() instanceof ServerOutcome.Unlocked)) {
                    throw new IllegalStateException("self-test: the server did not report the unlock");
                }
                console.say("self-test: OK (exchange done " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms after start)");
                return toListening;
            }
        }
    }

    /**
     * The start-up steps of the boot path on files in {@code dir} (so that the AOT training run
     * covers them): agent.json and a kernel command line read from files, the pinned key read
     * from PEM, the tsm provider made (it touches no device until a request), the root found by
     * its LUKS UUID among fake block devices, its LUKS2 header validated against a pin and the
     * validated copy written and deleted.
     */
    private static void bootSteps(Path dir, ECKey pinned) throws Exception {
        Path pem = dir.resolve("verifier.pub.pem");
        VerifierKeys.writePublicPem(pinned, pem);
        Path sys = Files.createDirectories(dir.resolve("sys/vdb")).getParent();
        Path dev = Files.createDirectories(dir.resolve("dev"));
        SelfTestHeader header = SelfTestHeader.create(SAMPLE_UUID, new SecureRandom());
        Files.write(dev.resolve("vdb"), header.image());
        Path file = dir.resolve("agent.json");
        Files.write(file, ConfigJson.write(AgentConfig.defaults(SAMPLE_UUID).withVerifierKey(pem).withBlockDevices(sys, dev)));
        Path cmdline = Files.writeString(dir.resolve("cmdline"), "quiet cvmfde.port=7220 rd.neednet=1 ip=dhcp\n");
        AgentConfig config = AgentConfigLoader.load(file, KernelCmdline.read(cmdline));
        PinnedVerifierKey.read(config.verifierKey());
        EvidenceProviders.byName(config.provider(), ProviderOptions.defaults());
        Path root = LuksVolumes.findByUuid(config.blockClassDir(), config.deviceDir(), config.luksUuid());
        if (!root.equals(dev.resolve("vdb"))) {
            throw new IllegalStateException("self-test: the fake root device was not found by its UUID");
        }
        // the header validation and the validated copy, as the agent does them before it listens
        ValidatedHeader validated = LuksHeaderCheck.read(root, config.luksUuid(), header.pin());
        ValidatedHeader.deleteCopy(validated.writeCopy(Files.createDirectories(dir.resolve("run"))));
        StartupTrace.mark("header");
    }

    /**
     * The boot path's fixture for {@code bench/guest-startup}: {@code dir/dev/vdb} (a LUKS2 header
     * of image-builder's shape for {@code uuid}, nothing in it opens), {@code dir/sys/vdb/} (the
     * block device the agent finds it by), and {@code dir/agent.json} pinning that header, with the
     * {@code tsm} provider, the verifier key {@code dir/etc/verifier.pub.pem} (the caller writes
     * it), 127.0.0.1, port 0 and a 10 s network wait. Existing files are replaced.
     */
    public static void writeFixture(Path dir, String uuid) throws IOException {
        Path sys = Files.createDirectories(dir.resolve("sys/vdb")).getParent();
        Path dev = Files.createDirectories(dir.resolve("dev"));
        SelfTestHeader header = SelfTestHeader.create(uuid, new SecureRandom());
        Files.write(dev.resolve("vdb"), header.image());
        AgentConfig config = AgentConfig.defaults(uuid).withProvider("tsm")
                .withVerifierKey(dir.resolve("etc/verifier.pub.pem")).withBindAddress("127.0.0.1").withPort(0)
                .withNetworkTimeout(Duration.ofSeconds(10)).withBlockDevices(sys, dev).withLuksHeader(header.pin());
        Files.write(dir.resolve("agent.json"), ConfigJson.write(config));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
