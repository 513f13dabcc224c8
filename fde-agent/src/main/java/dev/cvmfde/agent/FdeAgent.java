package dev.cvmfde.agent;

import dev.cvmfde.agent.config.AgentConfig;
import dev.cvmfde.agent.console.AgentConsole;
import dev.cvmfde.agent.console.StartupTrace;
import dev.cvmfde.agent.luks.HeaderRefusedException;
import dev.cvmfde.agent.luks.LuksHeaderCheck;
import dev.cvmfde.agent.luks.LuksHeaderPin;
import dev.cvmfde.agent.luks.LuksVolumes;
import dev.cvmfde.agent.luks.ValidatedHeader;
import dev.cvmfde.agent.luks.RootDeviceException;
import dev.cvmfde.agent.net.AddressSource;
import dev.cvmfde.agent.net.HostAddress;
import dev.cvmfde.agent.net.NetworkWait;
import dev.cvmfde.agent.unlock.UnlockCommand;
import dev.cvmfde.agent.unlock.VolumeKeyCheck;
import dev.cvmfde.agent.unlock.VolumeKeySink;
import dev.cvmfde.protocol.release.KeyMaterialException;
import dev.cvmfde.protocol.release.PinnedVerifierKey;
import dev.cvmfde.server.AttestationServer;
import dev.cvmfde.server.RunningServer;
import dev.cvmfde.server.ServerConfig;
import dev.cvmfde.server.ServerOutcome;
import dev.cvmfde.server.ServerStartException;
import dev.cvmfde.server.VerifierTrust;
import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceProvider;
import dev.cvmfde.server.provider.EvidenceProviders;
import dev.cvmfde.server.provider.MeasurementEvent;
import dev.cvmfde.server.provider.MeasurementExtension;
import dev.cvmfde.server.provider.ProviderOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The boot-time agent: find the root volume by its LUKS UUID, wait for the network, serve
 * attestation evidence and open the volume with the first released key that works. Every way it
 * can end is an {@link AgentOutcome}; none of them leaves the volume open without a verifier's
 * release, and none hangs forever (every wait is bounded by the configuration).
 *
 * <pre>{@code
 * AgentOutcome outcome = new FdeAgent(config, new SystemAddresses(), AgentConsole.system()).run();
 * }</pre>
 */
public final class FdeAgent {
    /**
     * Provider {@code simulated} only: where the online hook copies the simulated TEE's event log
     * from the boot partition ({@code cvm-fde/simulated-ccel.bin}, written there by the image
     * builder) when {@code simulatedEventLog} is not configured. Never read for a real TEE.
     */
    public static final Path SIMULATED_EVENT_LOG_FROM_BOOT = Path.of("/run/cvm-fde/simulated-ccel.bin");
    /** Provider {@code simulated} only: likewise {@code cvm-fde/simulated-identity/} of the boot partition. */
    public static final Path SIMULATED_IDENTITY_FROM_BOOT = Path.of("/run/cvm-fde/simulated-identity");
    /** Where the validated header copy goes at boot (a tmpfs: the copy never touches a disk). */
    public static final Path HEADER_COPY_DIR = Path.of("/run/cvm-fde");
    /** How often a listening round looks whether the volume was refused for good. */
    private static final Duration REFUSAL_POLL = Duration.ofMillis(200);
    private static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");
    private final AgentConfig config;
    private final AddressSource addresses;
    private final AgentConsole console;
    private final Duration pollInterval;
    /** Present for a host run without a kernel ({@link #onVolumeFile}). */
    private final Optional<Path> volumeFile;
    private final Path headerCopyDir;

    public FdeAgent(AgentConfig config, AddressSource addresses, AgentConsole console) {
        this(config, addresses, console, NetworkWait.DEFAULT_POLL_INTERVAL);
    }

    /** As above with the network/device poll interval (tests shorten it). */
    public FdeAgent(AgentConfig config, AddressSource addresses, AgentConsole console, Duration pollInterval) {
        this(config, addresses, console, pollInterval, Optional.empty(), HEADER_COPY_DIR);
    }

    private FdeAgent(AgentConfig config, AddressSource addresses, AgentConsole console, Duration pollInterval,
                     Optional<Path> volumeFile, Path headerCopyDir) {
        this.config = config;
        this.addresses = addresses;
        this.console = console;
        this.pollInterval = pollInterval;
        this.volumeFile = volumeFile;
        this.headerCopyDir = headerCopyDir;
    }

    /** The same agent writing its validated header copy under {@code dir} (a tmpfs; tests use a temp directory). */
    public FdeAgent withHeaderCopyDir(Path dir) {
        return new FdeAgent(config, addresses, console, pollInterval, volumeFile, dir);
    }

    /**
     * A host run without a kernel (where QEMU cannot run, {@code ./demo --no-qemu}): {@code file}
     * is the root volume — the LUKS partition copied out of the disk image; its UUID must still be
     * the configured one and its header the recorded one — and a released key is only
     * <em>checked</em>: {@code cryptsetup luksDump --dump-volume-key} of the validated header copy
     * (in {@code java.io.tmpdir}), the volume key compared with the recorded fingerprint (no
     * device-mapper, nothing is mapped or mounted). The agent listens on 127.0.0.1 only and does
     * not wait for a network address; {@code ip=}/{@code cvmfde.interface=} are ignored. The same
     * protocol, provider, pinned verifier key and refusals as at boot.
     */
    public FdeAgent onVolumeFile(Path file) {
        AgentConfig hostRun = config.withBindAddress(LOOPBACK.getHostAddress()).withInterfaceName(Optional.empty())
                .withUnlockCommand(AgentConfig.TEST_PASSPHRASE_COMMAND, config.unlockTimeout());
        return new FdeAgent(hostRun, () -> List.of(new HostAddress("lo", LOOPBACK)), console, pollInterval,
                Optional.of(file), headerCopyDir.equals(HEADER_COPY_DIR) ? Path.of(System.getProperty("java.io.tmpdir"))
                : headerCopyDir);
    }

    public AgentOutcome run() throws InterruptedException {
        console.say("starting (image " + (config.imageId().isEmpty() ? "-" : config.imageId()) + ", provider "
                + config.provider() + ", root LUKS UUID " + config.luksUuid() + ")");
        volumeFile.ifPresent(f -> console.say("NO KERNEL: host run against the volume file " + f + "; a released key"
                + " is only checked against the validated header copy (cryptsetup luksDump --dump-volume-key; no"
                + " device-mapper: nothing is mapped or mounted); listening on 127.0.0.1 only"));
        PinnedVerifierKey verifierKey;
        EvidenceProvider provider;
        try {
            verifierKey = PinnedVerifierKey.read(config.verifierKey());
            provider = EvidenceProviders.byName(config.provider(), providerOptions());
        } catch (KeyMaterialException | EvidenceException e) {
            return report(new AgentOutcome.Failed(e.getMessage()));
        }
        StartupTrace.mark("provider");
        Path device;
        try {
            device = findRoot();
        } catch (RootDeviceException e) {
            return report(new AgentOutcome.NoRootDevice(e.getMessage()));
        }
        console.say("root volume " + config.luksUuid() + " is " + device);
        StartupTrace.mark("root");
        ValidatedHeader header;
        Path headerCopy;
        try {
            header = validateHeader(device);
            headerCopy = header.writeCopy(headerCopyDir);
        } catch (HeaderRefusedException e) {
            return report(new AgentOutcome.HeaderRefused(e.getMessage()));
        } catch (java.io.IOException e) {
            return report(new AgentOutcome.HeaderRefused("LUKS header: cannot read " + device + " or write its copy under "
                    + headerCopyDir + ": " + e.getMessage()));
        }
        console.say("LUKS header of " + device + " is the recorded one (" + header.pin().segmentEncryption() + ", one"
                + " keyslot, one segment, no tokens); cryptsetup reads only its validated copy " + headerCopy);
        StartupTrace.mark("header");
        try {
            return listen(device, headerCopy, header.pin(), provider, verifierKey);
        } finally {
            ValidatedHeader.deleteCopy(headerCopy);
        }
    }

    private ValidatedHeader validateHeader(Path device) throws HeaderRefusedException, java.io.IOException {
        Optional<LuksHeaderPin> pin = config.luksHeader();
        if (pin.isEmpty()) {
            throw new HeaderRefusedException("luksHeader", "agent.json records no LUKS header (the image builder writes"
                    + " its shape and the volume key's fingerprint); refusing to open a header nobody validated");
        }
        return LuksHeaderCheck.read(device, config.luksUuid(), pin.get());
    }

    private AgentOutcome listen(Path device, Path headerCopy, LuksHeaderPin pin, EvidenceProvider provider,
                                PinnedVerifierKey verifierKey) throws InterruptedException {
        List<HostAddress> found = NetworkWait.await(addresses, config.interfaceName(), config.networkTimeout(), pollInterval);
        if (found.isEmpty()) {
            return report(new AgentOutcome.NoNetwork("network: no usable address"
                    + config.interfaceName().map(i -> " on " + i).orElse(" on any interface") + " within "
                    + AgentConsole.human(config.networkTimeout()) + " (expected DHCP from ip=dhcp rd.neednet=1, or the"
                    + " address of ip=); check the NIC driver and the DHCP server"));
        }
        StartupTrace.mark("network");
        VolumeKeySink sink = new VolumeKeySink(new UnlockCommand(config.unlockCommand(), config.unlockTimeout()),
                new VolumeKeyCheck(config.unlockTimeout()), device, headerCopy, pin, config.mapperName(), console,
                volumeFile.isPresent() || config.unlockChecksOnly());
        ServerConfig serverConfig;
        try {
            serverConfig = ServerConfig.of(bindAddress(), provider, VerifierTrust.pinned(verifierKey), sink);
        } catch (UnknownHostException e) {
            return report(new AgentOutcome.Failed("bind address '" + config.bindAddress().orElse("") + "' is not an IP address"));
        }
        return report(consumeKey(provider, serve(serverConfig, sink)));
    }

    /**
     * After the unlock (the server has stopped serving) and before the boot goes on: record
     * {@link MeasurementEvent#KEY_CONSUMED} in a runtime measurement register where the TEE lets
     * the guest extend one, so evidence produced later in this boot no longer matches the
     * baseline. A TEE that offers the extension but fails it ends the boot: exit 1, the hooks
     * power the guest off.
     */
    private AgentOutcome consumeKey(EvidenceProvider provider, AgentOutcome outcome) {
        if (!(outcome instanceof AgentOutcome.Unlocked)) {
            return outcome;
        }
        try {
            switch (provider.extend(MeasurementEvent.KEY_CONSUMED)) {
                case MeasurementExtension.Extended e -> console.say("key consumed: extended " + e
                        + "; evidence from now on no longer matches the baseline");
                case MeasurementExtension.ExtendedPcr p -> console.say("key consumed: extended " + p
                        + "; quotes from now on no longer replay to the boot's event log");
                case MeasurementExtension.Unsupported u -> console.say("key consumed: not measured: " + u.reason());
            }
            return outcome;
        } catch (EvidenceException e) {
            return new AgentOutcome.Failed("key consumed: extending the measurement register failed after the unlock ("
                    + e.getMessage() + "); the boot does not go on");
        }
    }

    /** Listening rounds with backoff until a key opens the volume or {@code verifierGiveUp} passed. */
    private AgentOutcome serve(ServerConfig serverConfig, VolumeKeySink sink) throws InterruptedException {
        long deadline = System.nanoTime() + config.verifierGiveUp().toNanos();
        Duration round = config.verifierWait();
        RunningServer server = null;
        String lastStartError = "";
        try {
            for (int n = 1; ; n++) {
                if (server == null || !server.isServing()) {
                    server = closeQuietly(server);
                    try {
                        server = AttestationServer.start(serverConfig);
                    } catch (ServerStartException e) {
                        lastStartError = e.getMessage();
                        console.say("cannot listen: " + e.getMessage() + "; trying again");
                    }
                }
                Duration left = Duration.ofNanos(deadline - System.nanoTime());
                Duration wait = round.compareTo(left) < 0 ? round : left;
                if (server != null) {
                    StartupTrace.mark("listening");
                    printAddresses(server, n, wait);
                    StartupTrace.mark("addresses");
                    Optional<ServerOutcome> outcome = awaitRound(server, sink, wait);
                    if (outcome.isPresent() && outcome.get() instanceof ServerOutcome.Unlocked u) {
                        return new AgentOutcome.Unlocked(u.detail(), u.verifier());
                    }
                } else {
                    Thread.sleep(wait);
                }
                if (sink.refusal().isPresent()) {
                    return new AgentOutcome.HeaderRefused(sink.refusal().get());
                }
                if (sink.opened()) {
                    return new AgentOutcome.Unlocked(config.mapperName() + " opened", null);
                }
                if (deadline - System.nanoTime() <= 0) {
                    return new AgentOutcome.NoVerifier("verifier: no verifier released a working key within "
                            + AgentConsole.human(config.verifierGiveUp()) + " (" + n + " rounds)"
                            + (lastStartError.isEmpty() ? "" : "; last listen error: " + lastStartError)
                            + "; check that the host runs attestation-client against this address and port");
                }
                console.say("no key released within " + AgentConsole.human(wait) + "; still waiting");
                Duration doubled = round.multipliedBy(2);
                round = doubled.compareTo(config.verifierWaitMax()) > 0 ? config.verifierWaitMax() : doubled;
            }
        } finally {
            closeQuietly(server);
        }
    }

    /** One listening round; ends early when the sink refused the volume for good. */
    private static Optional<ServerOutcome> awaitRound(RunningServer server, VolumeKeySink sink, Duration wait)
            throws InterruptedException {
        long end = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            Optional<ServerOutcome> outcome = server.awaitUnlocked(Duration.ofNanos(Math.max(0, Math.min(left,
                    REFUSAL_POLL.toNanos()))));
            if (outcome.isPresent() || sink.refusal().isPresent() || end - System.nanoTime() <= 0) {
                return outcome;
            }
        }
    }

    private void printAddresses(RunningServer server, int round, Duration wait) {
        int port = server.localAddress().getPort();
        InetAddress bound = server.localAddress().getAddress();
        List<HostAddress> now = bound.isAnyLocalAddress()
                ? NetworkWait.current(addresses, config.interfaceName())
                : List.of(new HostAddress("bound", bound));
        for (HostAddress a : now) {
            console.address(a.withPort(port));
        }
        console.say("waiting for the verifier on port " + port + " (round " + round + ", "
                + AgentConsole.human(wait) + ")");
    }

    private Path findRoot() throws RootDeviceException, InterruptedException {
        if (volumeFile.isPresent()) {
            return LuksVolumes.checkFile(volumeFile.get(), config.luksUuid());
        }
        long deadline = System.nanoTime() + config.networkTimeout().toNanos();
        while (true) {
            try {
                return LuksVolumes.findByUuid(config.blockClassDir(), config.deviceDir(), config.luksUuid());
            } catch (RootDeviceException e) {
                if (System.nanoTime() - deadline >= 0 || e.getMessage().contains("refusing to guess")) {
                    throw e;
                }
                Thread.sleep(pollInterval);
            }
        }
    }

    private InetSocketAddress bindAddress() throws UnknownHostException {
        if (config.bindAddress().isEmpty()) {
            return new InetSocketAddress(config.port());
        }
        String a = config.bindAddress().get();
        if (!a.matches("[0-9a-fA-F.:\\[\\]%A-Za-z]+") || !(a.contains(".") || a.contains(":"))) {
            throw new UnknownHostException(a);
        }
        return new InetSocketAddress(InetAddress.ofLiteral(a.replace("[", "").replace("]", "")), config.port());
    }

    private ProviderOptions providerOptions() {
        ProviderOptions options = ProviderOptions.defaults();
        boolean simulated = "simulated".equals(config.provider());
        Optional<Path> identity = config.simulatedIdentity()
                .or(() -> fromBoot(simulated, SIMULATED_IDENTITY_FROM_BOOT));
        Optional<Path> eventLog = config.simulatedEventLog()
                .or(() -> fromBoot(simulated, SIMULATED_EVENT_LOG_FROM_BOOT));
        if (identity.isPresent()) {
            options = options.withSimulatedIdentity(identity.get());
        }
        if (eventLog.isPresent()) {
            options = options.withSimulatedEventLog(eventLog.get());
        }
        return options;
    }

    private Optional<Path> fromBoot(boolean simulated, Path path) {
        if (!simulated || !Files.exists(path)) {
            return Optional.empty();
        }
        console.say("simulated TEE: using " + path + " (copied from the boot partition by the online hook)");
        return Optional.of(path);
    }

    private AgentOutcome report(AgentOutcome outcome) {
        switch (outcome) {
            case AgentOutcome.Unlocked u -> console.say(volumeFile.isEmpty() ? "done: root volume unlocked; boot continues"
                    : "done: the released key opens " + volumeFile.get() + " (checked only: no kernel, nothing mapped)");
            case AgentOutcome.NoVerifier f -> console.say("GIVING UP: " + f.message() + "; the root stays locked");
            case AgentOutcome.NoNetwork f -> console.say("GIVING UP: " + f.message() + "; the root stays locked");
            case AgentOutcome.NoRootDevice f -> console.say("GIVING UP: " + f.message());
            case AgentOutcome.HeaderRefused f -> console.say("REFUSED: " + f.message() + "; nothing was opened, the root"
                    + " stays locked");
            case AgentOutcome.Failed f -> console.say("FAILED: " + f.message() + "; the root stays locked");
        }
        return outcome;
    }

    private static RunningServer closeQuietly(RunningServer server) {
        if (server != null) {
            server.close();
        }
        return null;
    }
}
