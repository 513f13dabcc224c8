package dev.cvmfde.refvalues.cli;

import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.HashJson;
import dev.cvmfde.refvalues.measure.BootMeasurer;
import java.nio.charset.StandardCharsets;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cvmfde.refvalues.uefi.FirmwarePcrs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Measures a boot directory into hash.json. */
@Command(name = "measure", mixinStandardHelpOptions = true,
        description = {"Measure the boot files under a directory into a hash.json baseline.",
            "Finds the grub EFI image (EFI/*/grub{aa64,x64}.efi, else EFI/BOOT/BOOT{AA64,X64}.EFI), grub.cfg "
                + "(grub/, grub2/, else under EFI/), vmlinuz-V or Image-V with initramfs-V.img or initrd.img-V.",
            "grub: Authenticode hash; grub.cfg, initramfs: file digest; kernel: digest of the decompressed image "
                + "when gzip, else of the file."})
final class MeasureCommand implements Callable<Integer> {
    @Option(names = "--boot-dir", required = true, description = "directory holding the boot files")
    Path bootDir;

    @Option(names = "--kernel-version", arity = "1..*", description = "kernel versions to include (default: all)")
    List<String> versions = new ArrayList<>();

    @Mixin
    HashAlgOption hashAlg;

    @Option(names = "--multi-kernel", description = "write the multi-kernel form even for one kernel")
    boolean multiKernel;

    @Option(names = {"-o", "--output"}, description = "hash.json to write (atomically); default: standard output")
    Path output;

    @Option(names = "--firmware-pcrs", paramLabel = "FILE", description = "a UEFI + TPM boot's firmware PCRs recorded "
            + "from a golden boot (what firmware-pcrs writes): added as the \"tpm\" member, which image-builder keeps")
    Path firmwarePcrs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DigestAlgorithm alg = hashAlg.algorithm();
        Baseline b = BootMeasurer.measure(bootDir, versions, alg, multiKernel);
        if (firmwarePcrs != null) {
            FirmwarePcrs fw;
            try {
                fw = FirmwarePcrs.parse(Files.readAllBytes(firmwarePcrs));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--firmware-pcrs " + firmwarePcrs + ": "
                        + e.getMessage());
            }
            Map<String, JsonNode> extra = new LinkedHashMap<>(b.extraFields());
            extra.put(FirmwarePcrs.MEMBER, fw.toJson());
            b = new Baseline(b.hashAlg(), b.grub(), b.grubCfg(), b.kernels(), b.form(), extra);
        }
        if (output == null) {
            spec.commandLine().getOut().print(new String(HashJson.toBytes(b), StandardCharsets.UTF_8));
            spec.commandLine().getOut().flush();
        } else {
            HashJson.write(b, output);
        }
        return ReferenceValuesCli.EXIT_OK;
    }
}
