package dev.cvmfde.server.cli;

import dev.cvmfde.protocol.release.KeyMaterialException;
import dev.cvmfde.server.ServerStartException;
import dev.cvmfde.server.provider.EvidenceException;
import java.io.IOException;
import picocli.CommandLine;

/** The one place that turns exceptions into exit codes (and one line on stderr). */
final class ExitCodes implements CommandLine.IExecutionExceptionHandler {
    static final int OK = 0;
    static final int ERROR = 1;
    static final int USAGE = 2;

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
        int code = codeFor(e);
        String prefix = commandLine.getCommandSpec().qualifiedName() + ": ";
        commandLine.getErr().println(prefix + (code == USAGE ? "usage: " : "error: ") + messageOf(e));
        if (code == USAGE) {
            commandLine.getErr().println(prefix + "see '" + commandLine.getCommandSpec().qualifiedName() + " --help'");
        }
        commandLine.getErr().flush();
        return code;
    }

    static int codeFor(Exception e) {
        return switch (e) {
            case UsageException u -> USAGE;
            case EvidenceException ev when ev.kind() == EvidenceException.Kind.UNKNOWN_PROVIDER
                    || ev.kind() == EvidenceException.Kind.INVALID_CHALLENGE -> USAGE;
            case EvidenceException ev -> ERROR;
            case KeyMaterialException k -> ERROR;
            case ServerStartException s -> ERROR;
            case IOException io -> ERROR;
            default -> ERROR;
        };
    }

    private static String messageOf(Exception e) {
        return switch (e) {
            case UsageException u -> u.getMessage();
            case EvidenceException ev -> ev.getMessage() + " (" + ev.kind() + ")";
            case KeyMaterialException k -> k.getMessage();
            case ServerStartException s -> s.getMessage();
            case IOException io -> io.getClass().getSimpleName() + ": " + io.getMessage();
            default -> "internal error: " + e;
        };
    }
}
