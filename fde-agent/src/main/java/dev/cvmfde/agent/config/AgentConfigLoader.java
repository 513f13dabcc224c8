package dev.cvmfde.agent.config;

import dev.cvmfde.agent.config.internal.ConfigJson;
import dev.cvmfde.agent.config.internal.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the agent's configuration: the JSON file the image builder baked into the initramfs,
 * then the few {@code cvmfde.*} kernel parameters that may override it. Parameters that decide
 * <em>what</em> is trusted or opened (the verifier key, the LUKS UUID, the unlock command) or
 * where the evidence comes from (the provider) can only come from the file, which is part of the
 * measured initramfs: {@code cvmfde.provider=} is {@linkplain #IGNORED_PARAMETERS ignored}, so
 * a host cannot switch a real image to the simulated TEE from the kernel command line.
 */
public final class AgentConfigLoader {
    /** Largest configuration file read. */
    public static final int MAX_CONFIG_BYTES = 64 * 1024;
    /** Kernel parameters the agent reads; any other {@code cvmfde.*} word is reported as unknown. */
    public static final Set<String> KERNEL_PARAMETERS = Set.of("cvmfde.port", "cvmfde.bind",
            "cvmfde.net_timeout", "cvmfde.verifier_wait", "cvmfde.verifier_wait_max", "cvmfde.give_up",
            "cvmfde.interface");
    /**
     * Kernel parameters older images honoured and this agent accepts but never applies: the
     * provider comes only from the measured agent.json (a host that adds {@code cvmfde.provider=simulated}
     * must not make a real image sign with software keys). Not an error, so an old boot entry
     * still boots; the agent says it ignored them ({@link #ignoredParameters}).
     */
    public static final Set<String> IGNORED_PARAMETERS = Set.of("cvmfde.provider");

    private AgentConfigLoader() {
    }

    /** The file's settings with the kernel command line's overrides applied. */
    public static AgentConfig load(Path file, KernelCmdline cmdline) throws ConfigException {
        return applyKernelParameters(readFile(file), cmdline);
    }

    public static AgentConfig readFile(Path file) throws ConfigException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_CONFIG_BYTES + 1);
        } catch (IOException e) {
            throw new ConfigException("cannot read the agent configuration " + file + ": " + e.getMessage()
                    + " (the image builder writes it as /etc/cvm-fde/agent.json)", e);
        }
        if (bytes.length > MAX_CONFIG_BYTES) {
            throw new ConfigException("agent configuration " + file + " is larger than " + MAX_CONFIG_BYTES + " bytes");
        }
        try {
            return ConfigJson.parse(bytes);
        } catch (ConfigException e) {
            throw new ConfigException("agent configuration " + file + ": " + e.getMessage(), e);
        }
    }

    /** The {@link #IGNORED_PARAMETERS} present on {@code cmdline}, as {@code key=value}, sorted. */
    public static java.util.List<String> ignoredParameters(KernelCmdline cmdline) {
        Map<String, String> all = cmdline.all();
        return IGNORED_PARAMETERS.stream().filter(all::containsKey).sorted().map(k -> k + "=" + all.get(k)).toList();
    }

    /** Applies {@code cvmfde.port=}, {@code cvmfde.bind=}, … and the interface named by {@code ip=}. */
    public static AgentConfig applyKernelParameters(AgentConfig config, KernelCmdline cmdline) throws ConfigException {
        AgentConfig c = config;
        Map<String, String> all = cmdline.all();
        for (String key : all.keySet()) {
            if (key.startsWith("cvmfde.") && !KERNEL_PARAMETERS.contains(key) && !IGNORED_PARAMETERS.contains(key)) {
                throw new ConfigException("kernel parameter " + key + " is not known; the agent reads "
                        + KERNEL_PARAMETERS.stream().sorted().toList());
            }
        }
        try {
            if (all.containsKey("cvmfde.port")) {
                c = c.withPort(parsePort(all.get("cvmfde.port")));
            }
            if (all.containsKey("cvmfde.bind")) {
                c = c.withBindAddress(all.get("cvmfde.bind"));
            }
            if (all.containsKey("cvmfde.net_timeout")) {
                c = c.withNetworkTimeout(Durations.parse("cvmfde.net_timeout", all.get("cvmfde.net_timeout")));
            }
            var first = all.containsKey("cvmfde.verifier_wait")
                    ? Durations.parse("cvmfde.verifier_wait", all.get("cvmfde.verifier_wait")) : c.verifierWait();
            var max = all.containsKey("cvmfde.verifier_wait_max")
                    ? Durations.parse("cvmfde.verifier_wait_max", all.get("cvmfde.verifier_wait_max")) : c.verifierWaitMax();
            var giveUp = all.containsKey("cvmfde.give_up")
                    ? Durations.parse("cvmfde.give_up", all.get("cvmfde.give_up")) : c.verifierGiveUp();
            c = c.withVerifierWait(first, max.compareTo(first) < 0 ? first : max, giveUp);
            Optional<String> iface = all.containsKey("cvmfde.interface")
                    ? Optional.of(all.get("cvmfde.interface")) : interfaceFromIp(cmdline.values("ip"));
            if (iface.isPresent()) {
                c = c.withInterfaceName(iface);
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException("kernel command line: " + e.getMessage(), e);
        }
        return c;
    }

    private static int parsePort(String text) throws ConfigException {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException("kernel parameter cvmfde.port is '" + text + "'; 1 to 65535 is allowed");
    }

    /**
     * The interface a single {@code ip=} names (dracut forms {@code ip=IF:dhcp…} and
     * {@code ip=CLIENT:PEER:GW:MASK:HOST:IF:…}); none for {@code ip=dhcp}, several {@code ip=}, or no interface.
     */
    static Optional<String> interfaceFromIp(List<String> ipValues) {
        if (ipValues.size() != 1) {
            return Optional.empty();
        }
        String v = ipValues.getFirst();
        if (!v.contains(":")) {
            return Optional.empty();
        }
        if (v.startsWith("[") || Character.isDigit(v.charAt(0))) {
            String[] f = v.replaceAll("\\[[^]]*]", "x").split(":", -1);
            return f.length > 5 && !f[5].isEmpty() ? Optional.of(f[5]) : Optional.empty();
        }
        String name = v.substring(0, v.indexOf(':'));
        return name.isEmpty() ? Optional.empty() : Optional.of(name);
    }
}
