package dev.cvmfde.imagebuilder.cli;

import dev.cvmfde.imagebuilder.luks.KdfSpec;
import picocli.CommandLine.Option;

/** {@code --kdf}, shared by the commands that write a LUKS keyslot. */
final class KdfOptions {
    @Option(names = "--kdf", defaultValue = "pbkdf2", paramLabel = "KDF", description = KdfChoice.HELP)
    KdfChoice choice;

    KdfSpec spec() {
        return choice.spec();
    }
}
