package dev.cvmfde.imagebuilder.cli;

import dev.cvmfde.imagebuilder.dek.RootKey;
import dev.cvmfde.imagebuilder.dek.WrappedDek;
import dev.cvmfde.protocol.secret.KeyFile;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code image-builder dek}: a new data encryption key in IBM's form. */
@Command(name = "dek", mixinStandardHelpOptions = true,
        description = {"Generate a data encryption key file: 32 random bytes, base64 on one line (44 characters, no",
            "newline), mode 0600. Never overwrites a file: losing or replacing a DEK loses the disk.",
            "With --wrap-with, also writes DEK.wdek: the DEK wrapped with a 256-bit root key (AES Key Wrap with",
            "Padding, RFC 5649) as JSON {format, version, alg A256KWP, rootKeyId, wrapped (base64)}."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:written", "1:error (file exists, bad root key, I/O)", "2:usage error"},
        footer = {"", "Example:", "  image-builder root-key --output root.key",
            "  image-builder dek --output secret.dek --wrap-with root.key   # secret.dek + secret.dek.wdek"})
final class DekCommand implements Callable<Integer> {
    @Option(names = "--output", required = true, paramLabel = "FILE", description = "DEK file to create")
    Path output;

    @Option(names = "--wrap-with", paramLabel = "ROOT_KEY", description = "root key file (32 raw bytes, mode 0600) to wrap the DEK with")
    Path wrapWith;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path wdek = output.resolveSibling(output.getFileName() + ".wdek");
        if (Files.exists(output)) {
            throw new FileAlreadyExistsException(output.toString(), null, "not overwriting a key");
        }
        if (wrapWith != null && Files.exists(wdek)) {
            throw new FileAlreadyExistsException(wdek.toString(), null, "not overwriting a WDEK");
        }
        try (RootKey root = wrapWith == null ? null : RootKey.read(wrapWith);
             KeyFile dek = KeyFile.generateDek(new SecureRandom())) {
            WrappedDek wrapped = root == null ? null : WrappedDek.wrap(dek, root);
            dek.writeNew(output);
            if (wrapped != null) {
                wrapped.writeNew(wdek);
            }
        }
        spec.commandLine().getErr().println("image-builder: wrote " + output + (wrapWith == null ? "" : " and " + wdek));
        return ImageBuilderCli.EXIT_OK;
    }
}
