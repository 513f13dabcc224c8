package dev.cvmfde.agent.config;

import dev.cvmfde.agent.luks.LuksHeaderPin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything the agent needs at boot: which LUKS volume to open and how, where to listen, which
 * TEE provider and pinned verifier key to use, and how long to wait for the network and the
 * verifier. Made by the image builder ({@code /etc/cvm-fde/agent.json}), read by
 * {@link AgentConfigLoader}, checked here once.
 *
 * @param luksUuid the LUKS UUID of the root volume, as recorded by the image builder
 * @param mapperName the device-mapper name to open it as ({@code encroot})
 * @param bindAddress the address to listen on; empty → every address (wildcard)
 * @param port the TCP port to listen on (7220)
 * @param provider {@code tsm}, {@code virtcca}, {@code tpm} or {@code simulated}
 * @param verifierKey the pinned verifier public key (PEM or JWK) inside the initramfs
 * @param imageId the image id the builder recorded (printed with the address, never trusted)
 * @param networkTimeout how long to wait for a usable (non-loopback, non-link-local) address
 * @param verifierWait the first listening round; each later round waits twice as long, up to
 *     {@code verifierWaitMax}
 * @param verifierWaitMax the longest listening round
 * @param verifierGiveUp the total time to wait for a verifier before giving up
 * @param unlockCommand the unlock command; {@code {device}} and {@code {name}} are replaced,
 *     the key goes to its standard input
 * @param unlockTimeout how long the unlock command may run
 * @param interfaceName only this interface's addresses count (from {@code ip=}); empty → any
 * @param simulatedIdentity for {@code simulated}: the identity directory
 * @param simulatedEventLog for {@code simulated}: the CCEL-form event log
 * @param blockClassDir where block devices are listed ({@code /sys/class/block})
 * @param deviceDir where their device nodes are ({@code /dev})
 * @param luksHeader the LUKS2 header the image builder wrote and its volume key's fingerprint;
 *     the agent opens nothing without it ({@code FdeAgent} refuses at start)
 */
public record AgentConfig(String luksUuid, String mapperName, Optional<String> bindAddress, int port,
                          String provider, Path verifierKey, String imageId, Duration networkTimeout,
                          Duration verifierWait, Duration verifierWaitMax, Duration verifierGiveUp,
                          List<String> unlockCommand, Duration unlockTimeout, Optional<String> interfaceName,
                          Optional<Path> simulatedIdentity, Optional<Path> simulatedEventLog,
                          Path blockClassDir, Path deviceDir, Optional<LuksHeaderPin> luksHeader) {

    public static final Path DEFAULT_CONFIG_FILE = Path.of("/etc/cvm-fde/agent.json");
    public static final Path DEFAULT_VERIFIER_KEY = Path.of("/etc/cvm-fde/verifier.pub.pem");
    public static final String DEFAULT_MAPPER_NAME = "encroot";
    public static final int DEFAULT_PORT = 7220;
    public static final String DEFAULT_PROVIDER = "tsm";
    public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(120);
    public static final Duration DEFAULT_VERIFIER_WAIT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_VERIFIER_WAIT_MAX = Duration.ofSeconds(240);
    public static final Duration DEFAULT_VERIFIER_GIVE_UP = Duration.ofMinutes(15);
    public static final Duration DEFAULT_UNLOCK_TIMEOUT = Duration.ofSeconds(120);
    /**
     * {@code {header}} is the validated in-memory copy of the header ({@code --header}: the disk's
     * header is never read by cryptsetup); {@code --disable-keyring} keeps the volume key in the
     * device-mapper table, where the agent checks it (a keyring key could not be read back).
     */
    public static final List<String> DEFAULT_UNLOCK_COMMAND = List.of("cryptsetup", "open", "--header", "{header}",
            "--disable-keyring", "{device}", "{name}", "--key-file=-");
    /**
     * cryptsetup on a file, checking the key without device-mapper (tests, hosts without dm). The
     * agent then checks the key with {@code cryptsetup luksDump --dump-volume-key} of the header
     * copy instead of running this (that run checks the passphrase too).
     */
    public static final List<String> TEST_PASSPHRASE_COMMAND =
            List.of("cryptsetup", "open", "--test-passphrase", "--header", "{header}", "--key-file=-", "{device}");
    public static final Path DEFAULT_BLOCK_CLASS_DIR = Path.of("/sys/class/block");
    public static final Path DEFAULT_DEVICE_DIR = Path.of("/dev");
    public static final Set<String> PROVIDERS = Set.of("tsm", "virtcca", "tpm", "simulated");
    /** Upper bound for every duration: a boot that waits longer is broken anyway. */
    public static final Duration MAX_DURATION = Duration.ofHours(24);
    public static final int MAX_UNLOCK_ARGUMENTS = 64;

    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern MAPPER_NAME = Pattern.compile("[A-Za-z0-9_.+-]{1,127}");
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");

    public AgentConfig {
        Objects.requireNonNull(luksUuid, "luksUuid");
        if (!UUID.matcher(luksUuid).matches()) {
            throw new IllegalArgumentException("luksUuid is '" + luksUuid + "'; a UUID like 0c0ffee0-1234-4abc-8def-0123456789ab is required");
        }
        luksUuid = luksUuid.toLowerCase(java.util.Locale.ROOT);
        if (mapperName == null || !MAPPER_NAME.matcher(mapperName).matches() || mapperName.startsWith(".")) {
            throw new IllegalArgumentException("mapperName is '" + mapperName + "'; 1-127 of A-Z a-z 0-9 _ . + - are allowed");
        }
        Objects.requireNonNull(bindAddress, "bindAddress (use Optional.empty())");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port is " + port + "; 0 to 65535 are allowed (0 only in tests)");
        }
        if (provider == null || !PROVIDERS.contains(provider)) {
            throw new IllegalArgumentException("provider is '" + provider + "'; one of " + PROVIDERS + " is required");
        }
        Objects.requireNonNull(verifierKey, "verifierKey");
        imageId = imageId == null ? "" : imageId;
        if (imageId.length() > 256 || imageId.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("imageId must be at most 256 printable characters");
        }
        checkDuration(networkTimeout, "networkTimeout");
        checkDuration(verifierWait, "verifierWait");
        checkDuration(verifierWaitMax, "verifierWaitMax");
        checkDuration(verifierGiveUp, "verifierGiveUp");
        checkDuration(unlockTimeout, "unlockTimeout");
        if (verifierWaitMax.compareTo(verifierWait) < 0) {
            throw new IllegalArgumentException("verifierWaitMax (" + verifierWaitMax + ") is shorter than verifierWait ("
                    + verifierWait + ")");
        }
        unlockCommand = List.copyOf(unlockCommand);
        if (unlockCommand.isEmpty() || unlockCommand.size() > MAX_UNLOCK_ARGUMENTS
                || unlockCommand.stream().noneMatch(a -> a.contains("{device}"))
                || unlockCommand.stream().noneMatch(a -> a.contains("{header}"))) {
            throw new IllegalArgumentException("unlockCommand must have 1 to " + MAX_UNLOCK_ARGUMENTS
                    + " arguments and name {device} and {header} (the validated header copy); e.g. " + DEFAULT_UNLOCK_COMMAND);
        }
        Objects.requireNonNull(interfaceName, "interfaceName (use Optional.empty())");
        interfaceName.ifPresent(name -> {
            if (!INTERFACE.matcher(name).matches()) {
                throw new IllegalArgumentException("interface name '" + name + "' is not a Linux interface name");
            }
        });
        Objects.requireNonNull(simulatedIdentity, "simulatedIdentity (use Optional.empty())");
        Objects.requireNonNull(simulatedEventLog, "simulatedEventLog (use Optional.empty())");
        Objects.requireNonNull(blockClassDir, "blockClassDir");
        Objects.requireNonNull(deviceDir, "deviceDir");
        Objects.requireNonNull(luksHeader, "luksHeader (use Optional.empty())");
    }

    /** The defaults for everything but the volume's UUID. */
    public static AgentConfig defaults(String luksUuid) {
        return new AgentConfig(luksUuid, DEFAULT_MAPPER_NAME, Optional.empty(), DEFAULT_PORT, DEFAULT_PROVIDER,
                DEFAULT_VERIFIER_KEY, "", DEFAULT_NETWORK_TIMEOUT, DEFAULT_VERIFIER_WAIT, DEFAULT_VERIFIER_WAIT_MAX,
                DEFAULT_VERIFIER_GIVE_UP, DEFAULT_UNLOCK_COMMAND, DEFAULT_UNLOCK_TIMEOUT, Optional.empty(),
                Optional.empty(), Optional.empty(), DEFAULT_BLOCK_CLASS_DIR, DEFAULT_DEVICE_DIR, Optional.empty());
    }

    public AgentConfig withBindAddress(String address) {
        return new AgentConfig(luksUuid, mapperName, Optional.of(address), port, provider, verifierKey, imageId,
                networkTimeout, verifierWait, verifierWaitMax, verifierGiveUp, unlockCommand, unlockTimeout,
                interfaceName, simulatedIdentity, simulatedEventLog, blockClassDir, deviceDir, luksHeader);
    }

    public AgentConfig withPort(int newPort) {
        return new AgentConfig(luksUuid, mapperName, bindAddress, newPort, provider, verifierKey, imageId,
                networkTimeout, verifierWait, verifierWaitMax, verifierGiveUp, unlockCommand, unlockTimeout,
                interfaceName, simulatedIdentity, simulatedEventLog, blockClassDir, deviceDir, luksHeader);
    }

    public AgentConfig withProvider(String newProvider) {
        return new AgentConfig(luksUuid, mapperName, bindAddress, port, newProvider, verifierKey, imageId,
                networkTimeout, verifierWait, verifierWaitMax, verifierGiveUp, unlockCommand, unlockTimeout,
                interfaceName, simulatedIdentity, simulatedEventLog, blockClassDir, deviceDir, luksHeader);
    }

    public AgentConfig withVerifierKey(Path key) {
        return new AgentConfig(luksUuid, mapperName, bindAddress, port, provider, key, imageId,
                networkTimeout, verifierWait, verifierWaitMax, verifierGiveUp, unlockCommand, unlockTimeout,
                interfaceName, simulatedIdentity, simulatedEventLog, blockClassDir, deviceDir, luksHeader);
    }

    public AgentConfig withImageId(String id) {
        return new AgentConfig(luksUuid, mapperName, bindAddress, port, provider, verifierKey, id,
                networkTimeout, verifierWait, verifierWaitMax, verifierGiveUp, unlockCommand, unlockTimeout,
                interfaceName, simulatedIdentity, simulatedEventLog, blockClassDir, deviceDir, luksHeader);
    }

    public AgentConfig withNetworkTimeout(Duration timeout) {
        return new AgentConfig(luksUuid, mapperName, bindAddress, port, provider, verifierKey, imageId,
                timeout, verifierWait, verifierWaitMax, verifierGiveUp, unlockCommand, unlockTimeout,
                interfaceName, simulatedIdentity, simulatedEventLog, blockClassDir, deviceDir, luksHeader);
    }

    /** First round, longest round, total. */
    public AgentConfig withVerifierWait(Duration first, Duration max, Duration giveUp) {
        return new AgentConfig(luksUuid, mapperName, bindAddress, port, provider, verifierKey, imageId,
                networkTimeout, first, max, giveUp, unlockCommand, unlockTimeout,
                interfaceName, simulatedIdentity, simulatedEventLog, blockClassDir, deviceDir, luksHeader);
    }

    public AgentConfig withUnlockCommand(List<String> command, Duration timeout) {
        return new AgentConfig(luksUuid, mapperName, bindAddress, port, provider, verifierKey, imageId,
                networkTimeout, verifierWait, verifierWaitMax, verifierGiveUp, command, timeout,
                interfaceName, simulatedIdentity, simulatedEventLog, blockClassDir, deviceDir, luksHeader);
    }

    public AgentConfig withInterfaceName(Optional<String> name) {
        return new AgentConfig(luksUuid, mapperName, bindAddress, port, provider, verifierKey, imageId,
                networkTimeout, verifierWait, verifierWaitMax, verifierGiveUp, unlockCommand, unlockTimeout,
                name, simulatedIdentity, simulatedEventLog, blockClassDir, deviceDir, luksHeader);
    }

    public AgentConfig withSimulated(Optional<Path> identity, Optional<Path> eventLog) {
        return new AgentConfig(luksUuid, mapperName, bindAddress, port, provider, verifierKey, imageId,
                networkTimeout, verifierWait, verifierWaitMax, verifierGiveUp, unlockCommand, unlockTimeout,
                interfaceName, identity, eventLog, blockClassDir, deviceDir, luksHeader);
    }

    /** Where block devices are listed and where their nodes are (tests point these at a temp dir). */
    public AgentConfig withBlockDevices(Path classDir, Path devDir) {
        return new AgentConfig(luksUuid, mapperName, bindAddress, port, provider, verifierKey, imageId,
                networkTimeout, verifierWait, verifierWaitMax, verifierGiveUp, unlockCommand, unlockTimeout,
                interfaceName, simulatedIdentity, simulatedEventLog, classDir, devDir, luksHeader);
    }

    /** The header the image builder wrote (its shape and the volume key's fingerprint). */
    public AgentConfig withLuksHeader(LuksHeaderPin pin) {
        return new AgentConfig(luksUuid, mapperName, bindAddress, port, provider, verifierKey, imageId,
                networkTimeout, verifierWait, verifierWaitMax, verifierGiveUp, unlockCommand, unlockTimeout,
                interfaceName, simulatedIdentity, simulatedEventLog, blockClassDir, deviceDir, Optional.of(pin));
    }

    /** Whether the unlock command only checks the key ({@code --test-passphrase}: nothing is mapped). */
    public boolean unlockChecksOnly() {
        return unlockCommand.contains("--test-passphrase");
    }

    private static void checkDuration(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero() || d.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(name + " is " + d + "; more than 0 and at most " + MAX_DURATION + " is allowed");
        }
    }
}
