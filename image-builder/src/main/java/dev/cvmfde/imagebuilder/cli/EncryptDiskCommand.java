package dev.cvmfde.imagebuilder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cvmfde.imagebuilder.dek.RootKey;
import dev.cvmfde.imagebuilder.dek.WrappedDek;
import dev.cvmfde.imagebuilder.wholedisk.WholeDiskEncryptor;
import dev.cvmfde.imagebuilder.wholedisk.WholeDiskResult;
import dev.cvmfde.protocol.secret.KeyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code image-builder encrypt-disk}: whole-disk mode, IBM's encrypted-image flow in one step. */
@Command(name = "encrypt-disk", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Encrypt a whole disk image into a LUKS container for IBM Cloud bring-your-own-key images.",
            "",
            "Replaces IBM's ten manual sudo steps (VHD dynamic -> fixed -> raw, create file, luksFormat, open, copy,",
            "close): the input (raw, qcow2, fixed or dynamic VHD) is read directly and becomes the payload of a LUKS2",
            "(or --luks1) container with a 4 MiB header. Output size = input + 4 MiB, rounded up to whole MiB; the",
            "output is raw. The DEK file must be IBM's form: base64 on one line, 32-512 characters, no whitespace or",
            "newline (cryptsetup would make a trailing newline part of the key)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:written", "1:error (bad disk or DEK, I/O, disk full; no output left)", "2:usage error"},
        footer = {"", "Examples:",
            "  image-builder dek --output secret.dek --wrap-with root.key",
            "  image-builder encrypt-disk --input disk.vhd --dek secret.dek --output disk.encrypted.raw",
            "  cryptsetup luksDump disk.encrypted.raw     # check it"})
final class EncryptDiskCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, paramLabel = "DISK", description = "disk image: raw, qcow2, VHD fixed or dynamic; only read")
    Path input;

    @Option(names = "--dek", required = true, paramLabel = "FILE", description = "data encryption key file (IBM DEK form, mode 0600)")
    Path dek;

    @Option(names = "--output", required = true, paramLabel = "RAW", description = "encrypted raw image to write")
    Path output;

    @Option(names = "--luks1", description = "write LUKS1 instead of LUKS2 (PBKDF2 only)")
    boolean luks1;

    @Mixin
    KdfOptions kdf;

    @Option(names = "--wrap-with", paramLabel = "ROOT_KEY", description = "also write OUTPUT.wdek: the DEK wrapped with this root key (AES-KWP, RFC 5649; mode 0600)")
    Path wrapWith;

    @Mixin
    OutputOptions out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (luks1 && kdf.choice != KdfChoice.pbkdf2) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--luks1 supports only --kdf pbkdf2");
        }
        Path wdek = output.resolveSibling(output.getFileName() + ".wdek");
        if (wrapWith != null && Files.exists(wdek)) {
            throw new java.nio.file.FileAlreadyExistsException(wdek.toString(), null, "WDEK exists; not overwriting");
        }
        ConsoleProgress progress = out.progress();
        try (KeyFile key = KeyFile.readDek(dek);
             RootKey root = wrapWith == null ? null : RootKey.read(wrapWith)) {
            progress.stage("encrypting");
            long size = Files.size(input);
            WholeDiskResult r = WholeDiskEncryptor.encrypt(input, key, output, luks1, kdf.spec(),
                    done -> progress.bytes(done, Math.max(size, done)));
            progress.finishLine();
            if (root != null) {
                WrappedDek.wrap(key, root).writeNew(wdek);
            }
            out.summary(() -> json(r, root, wdek), () -> String.format(
                    "wrote %s (%s, %,d bytes from %,d bytes of %s, LUKS UUID %s)%s", r.output(), r.luksVersion(),
                    r.outputBytes(), r.inputBytes(), r.inputFormat(), r.luksUuid(), root == null ? "" : " and " + wdek));
        }
        return ImageBuilderCli.EXIT_OK;
    }

    private static String json(WholeDiskResult r, RootKey root, Path wdek) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("output", r.output().toString());
        n.put("inputFormat", r.inputFormat().name());
        n.put("inputBytes", r.inputBytes());
        n.put("outputBytes", r.outputBytes());
        n.put("luksUuid", r.luksUuid().toString());
        n.put("luksVersion", r.luksVersion());
        if (root != null) {
            n.put("wdek", wdek.toString());
            n.put("rootKeyId", root.keyId());
        }
        return n.toPrettyString();
    }
}
