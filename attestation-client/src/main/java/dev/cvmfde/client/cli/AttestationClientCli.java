package dev.cvmfde.client.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code attestation-client}: the host side — verify evidence, release keys, make the verifier key. */
@Command(name = "attestation-client", mixinStandardHelpOptions = true, version = "attestation-client 0.1.0",
        description = {"Verifies CCA / virtCCA attestation evidence against a trust anchor and reference values,",
                "and releases the disk key to a guest whose evidence passed (release, push mode; serve, the pull-mode",
                "broker guests fetch their keys from); makes the verifier key pair (keygen); manages the image store",
                "(image, root-key) and checks its audit trail (audit)."},
        subcommands = {VerifyCommand.class, ReleaseCommand.class, ServeCommand.class, KeygenCommand.class,
            ImageCommand.class, AuditCommand.class, RootKeyCommand.class},
        footerHeading = "%nExit codes:%n", footer = ExitCodes.HELP)
public final class AttestationClientCli implements Runnable {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AttestationClientCli()).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is required: verify, release, serve, keygen, image, audit or root-key");
    }
}
