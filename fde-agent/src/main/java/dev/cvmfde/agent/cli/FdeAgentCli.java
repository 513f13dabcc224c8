package dev.cvmfde.agent.cli;

import dev.cvmfde.agent.AgentOutcome;
import dev.cvmfde.agent.FdeAgent;
import dev.cvmfde.agent.config.AgentConfig;
import dev.cvmfde.agent.config.AgentConfigLoader;
import dev.cvmfde.agent.config.ConfigException;
import dev.cvmfde.agent.config.KernelCmdline;
import dev.cvmfde.agent.console.AgentConsole;
import dev.cvmfde.agent.console.StartupTrace;
import dev.cvmfde.agent.net.SystemAddresses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fde-agent}: started by the dracut hook in the initramfs; waits for the network, serves
 * attestation evidence and opens the LUKS root with the released key.
 */
@Command(name = "fde-agent", mixinStandardHelpOptions = true, version = "fde-agent 0.1.0",
        subcommands = {SelfTestCommand.class, OverlayCommand.class},
        description = {"Unlocks the LUKS root volume at boot after the host verifier checked this guest's attestation.",
            "Started in the background by the cvm-fde dracut hook (initqueue/online). Reads the configuration file,",
            "then the kernel parameters cvmfde.port= cvmfde.bind= cvmfde.net_timeout=",
            "cvmfde.verifier_wait= cvmfde.verifier_wait_max= cvmfde.give_up= cvmfde.interface= (and the interface of ip=).",
            "The provider comes only from the (measured) configuration file: cvmfde.provider= is ignored.",
            "Prints 'fde: <IP>:<PORT>' for each address on the console, then waits for the verifier."},
        footerHeading = "%nExit status:%n",
        footer = {"  0  the root volume was unlocked (self-test: the exchange worked; overlay: written)",
            "  1  error: configuration, verifier key, provider or another failure before waiting",
            "  2  usage: bad options",
            "  4  no verifier released a working key within verifierGiveUp (the root stays locked)",
            "  5  no usable network address within networkTimeout",
            "  6  the root LUKS volume was not found by its UUID (or more than one carries it)",
            "  7  the root's LUKS header is not the one the image builder recorded in agent.json (luksHeader: shape,",
            "     cipher_null, extra keyslots/segments/tokens), or the volume key it yields has another fingerprint",
            "Any status but 0 (or a crash) makes the hooks power the guest off: no shell, ever.",
            "",
            "Examples:",
            "  fde-agent --config /etc/cvm-fde/agent.json          # at boot (what the hook runs)",
            "  fde-agent self-test                                 # one loopback exchange, simulated TEE",
            "  fde-agent --config R/etc/cvm-fde/agent.json --sysroot R --volume-file root.luks --cmdline host.cmdline",
            "                                                      # no kernel: host run against a LUKS file (./demo --no-qemu)",
            "  fde-agent overlay --config agent.json --verifier-key verifier.pub.pem --runtime RT --out DIR"})
public final class FdeAgentCli implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "agent configuration (default: ${DEFAULT-VALUE})")
    Path config = AgentConfig.DEFAULT_CONFIG_FILE;

    @Option(names = "--cmdline", paramLabel = "FILE", description = "kernel command line to read overrides from (default: ${DEFAULT-VALUE})")
    Path cmdline = KernelCmdline.PROC_CMDLINE;

    @Option(names = "--volume-file", paramLabel = "FILE", description = {
        "No kernel (a host run, ./demo --no-qemu): FILE is the root volume (the LUKS partition copied out of the",
        "disk image; its UUID must be the configured one) instead of a block device found in /sys/class/block.",
        "Its LUKS header is validated against agent.json's luksHeader as at boot; a released key is only checked",
        "(cryptsetup luksDump --dump-volume-key of the validated header copy in java.io.tmpdir, the volume key's",
        "fingerprint compared; no device-mapper: nothing is mapped or mounted); the agent listens on 127.0.0.1",
        "only and does not wait for a network address."})
    Path volumeFile;

    @Option(names = "--sysroot", paramLabel = "DIR", description = {
        "With --volume-file only: read the files the configuration names (verifierKey, simulatedIdentity,",
        "simulatedEventLog, and the simulated TEE's /run/cvm-fde/ files) under DIR, as if DIR were / (e.g. the",
        "overlay unpacked from the image's initramfs)."})
    Path sysroot;

    public static void main(String[] args) {
        StartupTrace.mark("main");
        Optional<FdeAgentCli> boot = BootArgs.parse(args);
        System.exit(boot.isPresent() ? boot.get().runAtBoot() : commandLine().execute(args));
    }

    /**
     * The command line with the agent's exit-code mapping. Package-private on purpose: the launcher
     * resolves the signatures of the main class's public methods, and a public method returning
     * {@link CommandLine} would load picocli at every boot.
     */
    static CommandLine commandLine() {
        setLogFormat();
        CommandLine cl = new CommandLine(new FdeAgentCli());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println(errorLine(e));
            return AgentOutcome.ERROR;
        });
        return cl;
    }

    /** {@link #call()} with the same log format and exception mapping as {@link #commandLine()}, without picocli. */
    int runAtBoot() {
        setLogFormat();
        try {
            return call();
        } catch (Exception e) {
            System.err.println(errorLine(e));
            return AgentOutcome.ERROR;
        }
    }

    private static void setLogFormat() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "fde-agent: %4$s %3$s: %5$s%6$s%n");
        }
    }

    private static String errorLine(Exception e) {
        return "fde-agent: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    @Override
    public Integer call() throws Exception {
        StartupTrace.mark("parsed");
        // a host run talks to its caller (stderr), never to the host's /dev/console
        AgentConsole console = volumeFile == null ? AgentConsole.system() : AgentConsole.to(System.err);
        AgentConfig cfg;
        try {
            KernelCmdline kernel = KernelCmdline.read(cmdline);
            for (String ignored : AgentConfigLoader.ignoredParameters(kernel)) {
                console.say("ignoring kernel parameter " + ignored + ": the provider comes only from the measured "
                        + "agent.json");
            }
            cfg = AgentConfigLoader.load(config, kernel);
        } catch (ConfigException e) {
            console.say("FAILED: " + e.getMessage() + "; the root stays locked");
            return AgentOutcome.ERROR;
        }
        StartupTrace.mark("config");
        if (sysroot != null && volumeFile == null) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--sysroot is only for a host run with --volume-file");
        }
        if (volumeFile == null) {
            return new FdeAgent(cfg, new SystemAddresses(), console).run().exitStatus();
        }
        if (sysroot != null) {
            cfg = underSysroot(cfg, sysroot);
        }
        return new FdeAgent(cfg, new SystemAddresses(), console).onVolumeFile(volumeFile).run().exitStatus();
    }

    /** The configuration's absolute file names (and the simulated TEE's boot-partition copies) read under {@code root}. */
    static AgentConfig underSysroot(AgentConfig cfg, Path root) {
        boolean simulated = "simulated".equals(cfg.provider());
        Optional<Path> identity = cfg.simulatedIdentity().map(p -> under(root, p))
                .or(() -> fromBoot(simulated, under(root, FdeAgent.SIMULATED_IDENTITY_FROM_BOOT)));
        Optional<Path> eventLog = cfg.simulatedEventLog().map(p -> under(root, p))
                .or(() -> fromBoot(simulated, under(root, FdeAgent.SIMULATED_EVENT_LOG_FROM_BOOT)));
        return cfg.withVerifierKey(under(root, cfg.verifierKey())).withSimulated(identity, eventLog);
    }

    private static Optional<Path> fromBoot(boolean simulated, Path p) {
        return simulated && Files.exists(p) ? Optional.of(p) : Optional.empty();
    }

    private static Path under(Path root, Path p) {
        return p.isAbsolute() ? root.resolve(p.getRoot().relativize(p)) : root.resolve(p);
    }
}
