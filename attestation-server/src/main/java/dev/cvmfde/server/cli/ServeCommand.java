package dev.cvmfde.server.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code attestation-server serve}: the same as the top-level command, spelled out. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Listen for the host verifier, serve evidence, receive the disk key, hand it on, exit 0.",
            "Bad, aborted or refused clients are logged and the server keeps waiting.",
            "Prints 'attestation-server: listening on IP:PORT (provider …)' on stderr once listening."},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
            "0:a key was received, acknowledged and handed on",
            "1:error: provider, port, files, or stopped before a key arrived",
            "2:usage: bad or missing options (no --verifier-key, --key-output naming a file)",
            "3:not returned: refusals are answered and the server keeps waiting"})
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    AttestationServerCli root;

    @Mixin
    ServeOptions options;

    @Override
    public Integer call() throws Exception {
        return Serve.run(options, root);
    }
}
