package dev.cvmfde.imagebuilder.cli;

import dev.cvmfde.imagebuilder.disk.DiskFormatException;
import dev.cvmfde.imagebuilder.luks.LuksException;
import dev.cvmfde.imagebuilder.partition.PartitionTableException;
import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import dev.cvmfde.protocol.secret.KeyFileException;
import dev.cvmfde.refvalues.eventlog.EventLogException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code image-builder}: encrypted confidential-VM images, rootless. */
@Command(name = "image-builder", mixinStandardHelpOptions = true, version = "image-builder 0.1.0",
        description = {"Builds attestation-gated encrypted VM images as an ordinary user (no sudo, nbd, loop devices",
            "or device-mapper). Inputs are only read; outputs appear complete or not at all."},
        subcommands = {EncryptCommand.class, EncryptDiskCommand.class, SignBaselineCommand.class, DekCommand.class,
            RootKeyCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:error (bad input, key file, partition table, I/O, disk full; nothing is left behind)",
            "2:usage error", "3:(not used by image-builder)"},
        footer = {"", "Examples:",
            "  image-builder encrypt --input guest.qcow2 --baseline hash.json --key-file rootfs.key \\",
            "      --verifier-key verifier.pub.pem --agent-runtime runtime/ --output encrypted.qcow2",
            "  image-builder dek --output secret.dek --wrap-with root.key",
            "  image-builder encrypt-disk --input disk.vhd --dek secret.dek --output disk.encrypted.raw"})
public final class ImageBuilderCli implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_ERROR = 1;
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with the one exception-to-exit-code mapping installed. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new ImageBuilderCli());
        cl.setExecutionExceptionHandler(ImageBuilderCli::handle);
        // The descriptions are written as ~100-column paragraphs; picocli's default 80 breaks them mid-line.
        cl.setUsageHelpWidth(110);
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        String what = describe(e);
        if (what == null) {
            err.println("image-builder: internal error: " + e);
            e.printStackTrace(err);
        } else {
            err.println("image-builder: " + what);
        }
        err.flush();
        return EXIT_ERROR;
    }

    static String describe(Exception e) {
        return switch (e) {
            case EncryptException x -> x.getMessage();
            case KeyFileException x -> "key: " + x.getMessage();
            case LuksException x -> "luks " + x.step().name().toLowerCase(java.util.Locale.ROOT) + ": " + diskFull(x.getMessage());
            case DiskFormatException x -> "input disk: " + x.check() + ": " + x.getMessage();
            case PartitionTableException x -> "partition table: " + x.check() + ": " + x.getMessage();
            case EventLogException x -> "event log: " + x.getMessage();
            case GeneralSecurityException x -> "crypto: " + x.getMessage();
            case AccessDeniedException x -> "output: " + x.getFile() + ": " + (x.getReason() == null ? "permission denied" : x.getReason());
            case NoSuchFileException x -> "no such file: " + x.getFile() + (x.getReason() == null ? "" : " (" + x.getReason() + ")");
            case FileAlreadyExistsException x -> "exists: " + x.getFile() + (x.getReason() == null ? "" : " (" + x.getReason() + ")");
            case FileSystemException x -> "file system: " + diskFull(x.getMessage());
            case IOException x -> "I/O error: " + diskFull(String.valueOf(x.getMessage()));
            case IllegalArgumentException x -> x.getMessage();
            default -> null;
        };
    }

    private static String diskFull(String message) {
        return message != null && message.contains("No space left on device")
                ? message + " (the output's file system is full; nothing was left behind)" : message;
    }
}
