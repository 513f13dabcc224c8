package dev.cvmfde.imagebuilder.cli;

import dev.cvmfde.imagebuilder.dek.RootKey;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code image-builder root-key}: a local root key for wrapping DEKs. */
@Command(name = "root-key", mixinStandardHelpOptions = true,
        description = {"Generate a 256-bit root key file (32 raw random bytes, mode 0600) that wraps DEKs into WDEKs",
            "(dek/encrypt-disk --wrap-with). Keep it off the build host in production (KMS/HSM); never overwrites."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:written", "1:error (file exists, I/O)", "2:usage error"})
final class RootKeyCommand implements Callable<Integer> {
    @Option(names = "--output", required = true, paramLabel = "FILE", description = "root key file to create")
    Path output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (RootKey key = RootKey.generate(output, new SecureRandom())) {
            spec.commandLine().getErr().println("image-builder: wrote root key " + output + " (id " + key.keyId() + ")");
        }
        return ImageBuilderCli.EXIT_OK;
    }
}
