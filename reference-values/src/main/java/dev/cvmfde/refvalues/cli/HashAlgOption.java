package dev.cvmfde.refvalues.cli;

import dev.cvmfde.refvalues.DigestAlgorithm;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --hash-alg}, shared by {@code measure} and {@code predict}; only the hash.json names are accepted. */
final class HashAlgOption {
    @Option(names = "--hash-alg", defaultValue = "sha-256", description = "sha-256 (default) or sha-512")
    String hashAlg;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** The algorithm; anything but sha-256 or sha-512 is a usage error. */
    DigestAlgorithm algorithm() {
        return DigestAlgorithm.fromHashJsonName(hashAlg).orElseThrow(() -> new CommandLine.ParameterException(
                command.commandLine(), "--hash-alg: expected sha-256 or sha-512; got " + hashAlg));
    }
}
