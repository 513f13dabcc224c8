package dev.cvmfde.server.cli;

import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceProvider;
import dev.cvmfde.server.provider.EvidenceProviders;
import dev.cvmfde.server.provider.ProviderOptions;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code attestation-server}: without a subcommand it serves (virtCCA style,
 * {@code attestation-server -i IP -p PORT}); {@code serve} is the same, {@code evidence} asks the
 * provider once and writes the token.
 */
@Command(name = "attestation-server", mixinStandardHelpOptions = true, version = "attestation-server 0.1.0",
        subcommands = {ServeCommand.class, EvidenceCommand.class, SimulatedIdentityCommand.class},
        description = {
            "Guest side of cvm-fde: serves attestation evidence to the host verifier and receives the",
            "disk key, encrypted to a per-connection key and signed by the pinned verifier key.",
            "Without a subcommand it serves, exactly like 'serve'."},
        footerHeading = "%nExample (the key goes into a pipe, never to disk):%n",
        footer = {"  attestation-server -i 0.0.0.0 -p 7220 --provider tsm \\",
            "      --verifier-key /etc/cvmfde/verifier.pub.pem --key-output fd:3 \\",
            "      3>&1 >/dev/null | cryptsetup open --key-file - /dev/vda2 encroot"},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:success: a key was received, acknowledged and handed on (serve); evidence written (evidence)",
            "1:error: the provider failed, the port could not be bound, a file could not be read or written",
            "2:usage: bad or missing options, e.g. no --verifier-key, or --key-output naming a file",
            "3:verification refused: not returned; a refused or bad release is answered and the server keeps waiting"})
public final class AttestationServerCli implements Callable<Integer> {
    final OutputStream keyStdout;
    final PrintStream err;
    final ProviderLookup providers;

    @Mixin
    ServeOptions serve;

    /** Writes keys ({@code --key-output -}) to {@code keyStdout} and messages to {@code err}. */
    public AttestationServerCli(OutputStream keyStdout, PrintStream err) {
        this(keyStdout, err, EvidenceProviders::byName);
    }

    /** Tests substitute the TEE edge here. */
    AttestationServerCli(OutputStream keyStdout, PrintStream err, ProviderLookup providers) {
        this.keyStdout = keyStdout;
        this.err = err;
        this.providers = providers;
    }

    /** Turns {@code --provider NAME} into a provider. */
    @FunctionalInterface
    interface ProviderLookup {
        EvidenceProvider byName(String name, ProviderOptions options) throws EvidenceException;
    }

    public AttestationServerCli() {
        this(System.out, System.err);
    }

    @Override
    public Integer call() throws Exception {
        return Serve.run(serve, this);
    }

    /** The command line with the exit-code mapping; tests call {@code commandLine(cli).execute(args)}. */
    public static CommandLine commandLine(AttestationServerCli cli) {
        CommandLine line = new CommandLine(cli);
        line.setExecutionExceptionHandler(new ExitCodes());
        line.setErr(new java.io.PrintWriter(cli.err, true));
        return line;
    }

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "attestation-server: %4$s: %5$s%6$s%n");
        }
        System.exit(commandLine(new AttestationServerCli()).execute(args));
    }
}
