package dev.cvmfde.client.cli;

import dev.cvmfde.client.release.ReleaseException;
import dev.cvmfde.client.verify.TrustAnchorException;
import dev.cvmfde.client.verify.VerifierException;
import dev.cvmfde.protocol.release.KeyMaterialException;
import dev.cvmfde.protocol.secret.KeyFileException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The one place that maps outcomes and exceptions to exit codes: 0 affirming / ok, 1 error
 * (unreadable files, bad trust anchor, broken verifier), 2 usage, 3 verification refused, 4 (release
 * only) released but the guest reports no unlock.
 * Commands run their body through {@link #guard}.
 */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int ERROR = 1;
    public static final int USAGE = 2;
    public static final int REFUSED = 3;
    /**
     * {@code release} only: the key went to an affirmed guest, but the guest's (unauthenticated)
     * ack says it did not unlock, or no ack came.
     */
    public static final int RELEASED_UNCONFIRMED = 4;

    /** The exit-code footer shown by every {@code --help}. */
    public static final String HELP = "  0  affirming: every check passed%n"
            + "  1  error: a file could not be read, a bad trust anchor or baseline, an internal fault%n"
            + "  2  usage: unknown or conflicting options, malformed hex%n"
            + "  3  refused: the evidence failed at least one check (the table says which, and why)%n";

    private ExitCodes() {
    }

    /** Runs {@code body}; usage errors give 2 (via picocli), every other exception 1 with one line on stderr. */
    public static int guard(CommandSpec spec, Callable<Integer> body) {
        try {
            return body.call();
        } catch (CommandLine.ParameterException e) {
            throw e;
        } catch (NoSuchFileException e) {
            return error(spec, "no such file: " + e.getFile());
        } catch (IOException e) {
            return error(spec, "I/O error: " + e.getMessage());
        } catch (TrustAnchorException e) {
            return error(spec, "trust anchor: " + e.getMessage());
        } catch (KeyMaterialException e) {
            return error(spec, "key: " + e.getMessage());
        } catch (KeyFileException e) {
            return error(spec, "key file: " + e.getMessage());
        } catch (ReleaseException e) {
            return error(spec, e.getMessage());
        } catch (VerifierException e) {
            return error(spec, "verifier: " + e.getMessage());
        } catch (dev.cvmfde.client.store.StoreException e) {
            return error(spec, "store: " + e.getMessage());
        } catch (Exception e) {
            return error(spec, "internal error: " + e);
        }
    }

    /** A usage error (exit 2) with {@code message}. */
    public static CommandLine.ParameterException usage(CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static int error(CommandSpec spec, String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(spec.root().name() + ": error: " + message);
        err.flush();
        return ERROR;
    }
}
