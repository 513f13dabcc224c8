package dev.cvmfde.imagebuilder.cli;

import picocli.CommandLine.Option;

/** {@code --quiet} and {@code --json}, shared by the commands that write images. */
final class OutputOptions {
    @Option(names = "--quiet", description = "no progress bar (it is also off when stderr is not a terminal)")
    boolean quiet;

    @Option(names = "--json", description = "print a JSON summary (paths, sizes, LUKS UUID, digests) on stdout")
    boolean json;
}
