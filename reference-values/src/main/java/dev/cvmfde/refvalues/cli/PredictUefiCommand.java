package dev.cvmfde.refvalues.cli;

import dev.cvmfde.protocol.files.AtomicFiles;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventLogWriter;
import dev.cvmfde.refvalues.measure.Measurements;
import dev.cvmfde.refvalues.predict.MeasuredFile;
import dev.cvmfde.refvalues.replay.Registers;
import dev.cvmfde.refvalues.uefi.UefiBoot;
import dev.cvmfde.refvalues.uefi.UefiBootPredictor;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Writes what a UEFI + shim + grub boot must measure into a TPM (PCRs 4, 8, 9). */
@Command(name = "predict-uefi", mixinStandardHelpOptions = true,
        description = {"Predict what a UEFI boot (firmware -> shim -> grub -> kernel) measures into a TPM and write it "
            + "as JSON: PCR 4 (the boot-option action, separator, shim and grub Authenticode hashes) and PCR 9 (grub.cfg, "
            + "kernel, initramfs files) exactly, with their PCR values; PCR 8's pinned strings (linux, "
            + "kernel_cmdline, initrd).",
            "Firmware PCRs (0-3, 7) are not predicted: record them from a golden boot with firmware-pcrs.",
            "--log-out also writes the exactly predicted events (PCRs 4 and 9) as a TCG2 log for tpm2_eventlog.",
            "Example: predict-uefi --shim EFI/BOOT/BOOTX64.EFI --grub-efi EFI/BOOT/grubx64.efi "
                + "--grub-cfg EFI/debian/grub.cfg --grub-cfg-path /EFI/debian/grub.cfg --linux-command linuxefi "
                + "--initrd-command initrdefi --kernel vmlinuz-6.1 --kernel-path /vmlinuz-6.1 --kernel-args \"ro\" "
                + "--initramfs initrd.img-6.1 --initramfs-path /initrd.img-6.1 -o uefi-boot.json"})
final class PredictUefiCommand implements Callable<Integer> {
    @Option(names = "--shim", description = "the first-stage loader the firmware runs (omit when it runs grub)") Path shim;
    @Mixin BootChainOptions files;
    @Option(names = "--linux-command", defaultValue = "linux", description = "linux (default) or linuxefi") String linux;
    @Option(names = "--initrd-command", defaultValue = "initrd", description = "initrd (default) or initrdefi") String initrd;
    @Mixin HashAlgOption hashAlg;
    @Option(names = {"-o", "--output"}, required = true, description = "the prediction (JSON, written atomically)") Path output;
    @Option(names = "--log-out", description = "also write the PCR 4 and 9 events as a TCG2 event log") Path logOut;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DigestAlgorithm alg = hashAlg.algorithm();
        UefiBoot boot = new UefiBoot(shim == null ? Optional.empty() : Optional.of(Measurements.authenticode(shim, alg)),
                Measurements.authenticode(files.grubEfi, alg),
                new MeasuredFile(files.grubCfgPath, Measurements.file(files.grubCfg, alg)), linux,
                new MeasuredFile(files.kernelPath, Measurements.kernel(files.kernel, alg)), files.args, initrd,
                new MeasuredFile(files.initramfsPath, Measurements.file(files.initramfs, alg)));
        AtomicFiles.replace(output, UefiBootPredictor.toJson(boot), false);
        if (logOut != null) {
            EventLogWriter.write(UefiBootPredictor.exactLog(boot), logOut);
        }
        Registers pcrs = UefiBootPredictor.predictPcrs(boot);
        for (int p : UefiBootPredictor.PREDICTED_PCRS) {
            spec.commandLine().getOut().printf("PCR[%d]: %s%n", p, pcrs.get(p).hex());
        }
        spec.commandLine().getOut().flush();
        return ReferenceValuesCli.EXIT_OK;
    }
}
