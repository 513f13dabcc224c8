package dev.cvmfde.imagebuilder.cli;

import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** {@code --rim HEX} of {@code encrypt} and {@code sign-baseline}: the realm initial measurement for hash.json. */
final class RimOption {
    private RimOption() {
    }

    /** Lowercase hex of 32, 48 or 64 bytes, or empty; anything else is a usage error. */
    static Optional<String> parse(String rim, CommandSpec spec) {
        Optional<String> hex = Optional.ofNullable(rim).map(h -> h.toLowerCase(Locale.ROOT));
        if (hex.isPresent() && !hex.get().matches("[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128}")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rim holds " + rim.length()
                    + " characters; hex of 32, 48 or 64 bytes (64, 96 or 128 characters) is required");
        }
        return hex;
    }
}
