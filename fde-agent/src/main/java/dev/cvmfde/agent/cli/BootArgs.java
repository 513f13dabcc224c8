package dev.cvmfde.agent.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The boot invocation ({@code fde-agent [--config FILE] [--cmdline FILE]}, what the dracut hook
 * runs) read without picocli: picocli's classes predate Java 6, so the runtime's AOT cache cannot
 * hold them, and loading and verifying them plus the annotation reflection cost more time than
 * everything else before the agent listens. Only the plainest forms are taken here — each option
 * at most once, as {@code --opt VALUE} or {@code --opt=VALUE}, with a value that is not empty and
 * does not start with {@code -} or {@code @}; anything else (help, version, subcommands, errors,
 * argument files, odd values) returns empty and goes to picocli, which then has the final say.
 * For every form taken, the fields are exactly what picocli would set.
 */
final class BootArgs {
    private BootArgs() {
    }

    /** The agent command for {@code args}, or empty when picocli must parse them. */
    static Optional<FdeAgentCli> parse(String[] args) {
        FdeAgentCli cli = new FdeAgentCli();
        boolean config = false;
        boolean cmdline = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            int eq = arg.indexOf('=');
            String name = eq > 0 ? arg.substring(0, eq) : arg;
            String value;
            if (eq > 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                return Optional.empty();
            }
            if (value.isEmpty() || value.startsWith("-") || value.startsWith("@")) {
                return Optional.empty();
            }
            Optional<Path> path = toPath(value);
            if (path.isEmpty()) {
                return Optional.empty();
            }
            if ("--config".equals(name) && !config) {
                config = true;
                cli.config = path.get();
            } else if ("--cmdline".equals(name) && !cmdline) {
                cmdline = true;
                cli.cmdline = path.get();
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(cli);
    }

    private static Optional<Path> toPath(String value) {
        try {
            return Optional.of(Path.of(value));
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }
}
