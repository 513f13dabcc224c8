package dev.cvmfde.client.cli;

import dev.cvmfde.client.store.RootKeys;
import dev.cvmfde.protocol.release.KeyMaterialException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code root-key}: a new root key file for the image store. */
@Command(name = "root-key", mixinStandardHelpOptions = true,
        description = {
            "Writes a new root key for the image store: 32 random bytes (AES-256), mode 0600. The root key wraps every "
                    + "image's data-encryption key (envelope encryption); the store never holds a plaintext key. Lose it "
                    + "and every key in the store is lost with it: keep a copy offline, apart from the store.",
            "An existing file is never overwritten.",
            "For a root key in an HSM or other PKCS#11 token, create an AES-256 key in the token instead (e.g. keytool "
                    + "-genseckey with -storetype PKCS11, or pkcs11-tool --keygen --key-type AES:32) and give "
                    + "--root-key pkcs11:CONFIG?alias=KEY&pin-file=PIN to the image commands.", ""},
        footerHeading = "%nExample:%n",
        footer = {
            "  attestation-client root-key --out /etc/cvm-fde/root.key",
            "",
            "Exit codes:",
            "  0  the key was written",
            "  1  error: the file exists or cannot be written",
            "  2  usage: unknown or missing options"})
public final class RootKeyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The root key file to create (mode 0600).")
    Path out;

    @Override
    public Integer call() {
        return ExitCodes.guard(spec, () -> {
            try {
                RootKeys.generateFile(out);
            } catch (FileAlreadyExistsException e) {
                throw new KeyMaterialException(out + " already exists; not overwriting a root key (every key wrapped by"
                        + " it would be lost)");
            }
            spec.commandLine().getOut().println("root key written: " + out + " (32 bytes, mode 0600); use it as"
                    + " --root-key file:" + out + " and keep a copy offline");
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        });
    }
}
