package dev.cvmfde.imagebuilder.cli;

import dev.cvmfde.imagebuilder.disk.DiskFormat;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;

/** {@code --output-format}: explicit, else from the output's file name. */
final class OutputFormats {
    private OutputFormats() {
    }

    static DiskFormat choose(CommandLine.Model.CommandSpec spec, String given, Path output) {
        String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
        String f = given != null ? given.toLowerCase(Locale.ROOT) : name.endsWith(".raw") || name.endsWith(".img") ? "raw" : "qcow2";
        return switch (f) {
            case "qcow2" -> DiskFormat.QCOW2;
            case "raw" -> DiskFormat.RAW;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--output-format: expected qcow2 or raw; got " + given);
        };
    }
}
