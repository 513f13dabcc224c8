package dev.cvmfde.agent.cli;

import dev.cvmfde.agent.config.AgentConfigLoader;
import dev.cvmfde.agent.initramfs.AgentOverlay;
import dev.cvmfde.agent.initramfs.OverlayFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fde-agent overlay}: the initramfs overlay as a directory tree, for shell-based image builds. */
@Command(name = "overlay", mixinStandardHelpOptions = true,
        description = {"Writes the files the agent needs in an initramfs (hooks, configuration, verifier key, runtime)",
            "as a directory tree; append it with tools/sample-guest/append-overlay.sh BASE DIR OUT."},
        footerHeading = "%nExit status:%n", footer = {"  0  written", "  1  error (missing runtime, bad configuration)", "  2  usage"})
final class OverlayCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "agent.json to bake in")
    Path config;

    @Option(names = "--verifier-key", required = true, paramLabel = "FILE", description = "the verifier's public key (PEM or JWK)")
    Path verifierKey;

    @Option(names = "--runtime", required = true, paramLabel = "DIR", description = "output of tools/guest-runtime/build.sh")
    Path runtime;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "new directory to write the tree into")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out)) {
            throw new IllegalArgumentException("--out " + out + " exists; give a new directory");
        }
        List<OverlayFile> entries = AgentOverlay.entries(AgentConfigLoader.readFile(config), verifierKey, runtime);
        AgentOverlay.writeTree(entries, out);
        long bytes = entries.stream().mapToLong(OverlayFile::size).sum();
        System.err.println("fde-agent: wrote " + entries.size() + " entries (" + bytes + " bytes) to " + out);
        return 0;
    }
}
