package dev.cvmfde.client.cli;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.release.KeyMaterialException;
import dev.cvmfde.protocol.release.VerifierKeys;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keygen}: the verifier's signing key pair; the private JWK stays on the host, the public key is pinned in the image. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {
            "Makes the verifier's signing key pair (EC P-384, ES384) in DIR:",
            "  " + KeygenCommand.PRIVATE_JWK + "      private JWK, mode 0600: stays on this host, for 'release --signing-key'",
            "  " + KeygenCommand.PUBLIC_JWK + "  public JWK: for the image builder to pin in the initramfs"
                    + " ('attestation-server --verifier-key')",
            "  " + KeygenCommand.PUBLIC_PEM + "  the same public key as PEM (BEGIN PUBLIC KEY)",
            "Existing files are never overwritten: if any of the three exists, nothing is written.", ""},
        footerHeading = "%nExample:%n",
        footer = {
            "  attestation-client keygen --out /etc/cvm-fde",
            "",
            "Exit codes:",
            "  0  the three files were written",
            "  1  error: a file already exists, or DIR cannot be written",
            "  2  usage: unknown or missing options"})
public final class KeygenCommand implements Callable<Integer> {
    static final String PRIVATE_JWK = "verifier.jwk";
    static final String PUBLIC_JWK = "verifier.pub.jwk";
    static final String PUBLIC_PEM = "verifier.pub.pem";

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the key files (created if missing).")
    Path out;

    @Override
    public Integer call() {
        return ExitCodes.guard(spec, this::keygen);
    }

    private int keygen() throws Exception {
        Files.createDirectories(out);
        for (String name : List.of(PRIVATE_JWK, PUBLIC_JWK, PUBLIC_PEM)) {
            if (Files.exists(out.resolve(name))) {
                throw new KeyMaterialException(out.resolve(name) + " already exists; not overwriting a key"
                        + " (choose another --out, or move the old files away first)");
            }
        }
        ECKey key = VerifierKeys.generate();
        VerifierKeys.writePrivateJwk(key, out.resolve(PRIVATE_JWK));
        VerifierKeys.writePublicJwk(key.toPublicJWK(), out.resolve(PUBLIC_JWK));
        VerifierKeys.writePublicPem(key.toPublicJWK(), out.resolve(PUBLIC_PEM));
        PrintWriter o = spec.commandLine().getOut();
        o.println("verifier signing key pair (P-384, ES384), key id " + key.getKeyID() + ":");
        o.println("  " + out.resolve(PRIVATE_JWK) + "  PRIVATE (mode 0600): keep on this host; use with"
                + " 'attestation-client release --signing-key'");
        o.println("  " + out.resolve(PUBLIC_JWK) + "  public: give to the image builder to pin in the guest"
                + " ('attestation-server --verifier-key')");
        o.println("  " + out.resolve(PUBLIC_PEM) + "  the same public key as PEM");
        o.flush();
        return ExitCodes.OK;
    }
}
