package dev.cvmfde.agent.cli;

import dev.cvmfde.agent.AgentOutcome;
import dev.cvmfde.agent.FdeAgent;
import dev.cvmfde.agent.config.AgentConfig;
import dev.cvmfde.agent.config.AgentConfigLoader;
import dev.cvmfde.agent.config.ConfigException;
import dev.cvmfde.agent.config.KernelCmdline;
import dev.cvmfde.agent.console.AgentConsole;
import dev.cvmfde.agent.net.SystemAddresses;
import java.nio.file.Path;
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
            "then the kernel parameters cvmfde.port= cvmfde.provider= cvmfde.bind= cvmfde.net_timeout=",
            "cvmfde.verifier_wait= cvmfde.verifier_wait_max= cvmfde.give_up= cvmfde.interface= (and the interface of ip=).",
            "Prints 'fde: <IP>:<PORT>' for each address on the console, then waits for the verifier."},
        footerHeading = "%nExit status:%n",
        footer = {"  0  the root volume was unlocked (self-test: the exchange worked; overlay: written)",
            "  1  error: configuration, verifier key, provider or another failure before waiting",
            "  2  usage: bad options",
            "  4  no verifier released a working key within verifierGiveUp (the root stays locked)",
            "  5  no usable network address within networkTimeout",
            "  6  the root LUKS volume was not found by its UUID (or more than one carries it)",
            "Any status but 0 makes the hooks drop to dracut's emergency shell.",
            "",
            "Examples:",
            "  fde-agent --config /etc/cvm-fde/agent.json          # at boot (what the hook runs)",
            "  fde-agent self-test                                 # one loopback exchange, simulated TEE",
            "  fde-agent overlay --config agent.json --verifier-key verifier.pub.pem --runtime RT --out DIR"})
public final class FdeAgentCli implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "agent configuration (default: ${DEFAULT-VALUE})")
    Path config = AgentConfig.DEFAULT_CONFIG_FILE;

    @Option(names = "--cmdline", paramLabel = "FILE", description = "kernel command line to read overrides from (default: ${DEFAULT-VALUE})")
    Path cmdline = KernelCmdline.PROC_CMDLINE;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with the agent's exit-code mapping. */
    public static CommandLine commandLine() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "fde-agent: %4$s %3$s: %5$s%6$s%n");
        }
        CommandLine cl = new CommandLine(new FdeAgentCli());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("fde-agent: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            return AgentOutcome.ERROR;
        });
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        AgentConsole console = AgentConsole.system();
        AgentConfig cfg;
        try {
            cfg = AgentConfigLoader.load(config, KernelCmdline.read(cmdline));
        } catch (ConfigException e) {
            console.say("FAILED: " + e.getMessage() + "; the root stays locked");
            return AgentOutcome.ERROR;
        }
        return new FdeAgent(cfg, new SystemAddresses(), console).run().exitStatus();
    }
}
