package dev.cvmfde.refvalues.predict;

import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.measure.MeasureException;
import dev.cvmfde.refvalues.measure.Measurements;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What one boot through grub loads and runs: the grub EFI image (Authenticode hash), grub.cfg,
 * the grub commands executed before {@code linux} (after variable expansion, exactly as grub
 * will run them), the kernel with its arguments, and the initramfs.
 */
public record BootChain(Digest grubImage, MeasuredFile grubCfg, List<String> commandsBeforeLinux, MeasuredFile kernel,
        String kernelArguments, MeasuredFile initramfs) {
    public BootChain {
        Objects.requireNonNull(grubImage, "grubImage");
        Objects.requireNonNull(grubCfg, "grubCfg");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(kernelArguments, "kernelArguments");
        Objects.requireNonNull(initramfs, "initramfs");
        commandsBeforeLinux = List.copyOf(commandsBeforeLinux);
        DigestAlgorithm a = grubImage.algorithm();
        if (grubCfg.digest().algorithm() != a || kernel.digest().algorithm() != a
                || initramfs.digest().algorithm() != a) {
            throw new IllegalArgumentException("all digests of a boot chain must use one algorithm");
        }
    }

    public DigestAlgorithm algorithm() {
        return grubImage.algorithm();
    }

    /**
     * Measures the files and builds the chain. The {@code *Path} arguments are the paths grub
     * logs (as written in grub.cfg, e.g. {@code /vmlinuz-6.6.0}), not host paths.
     */
    public static BootChain fromFiles(DigestAlgorithm alg, Path grubEfi, Path grubCfgFile, String grubCfgPath,
            List<String> commandsBeforeLinux, Path kernelFile, String kernelPath, String kernelArguments,
            Path initramfsFile, String initramfsPath) throws IOException, MeasureException {
        return new BootChain(Measurements.authenticode(grubEfi, alg),
                new MeasuredFile(grubCfgPath, Measurements.file(grubCfgFile, alg)), commandsBeforeLinux,
                new MeasuredFile(kernelPath, Measurements.kernel(kernelFile, alg)), kernelArguments,
                new MeasuredFile(initramfsPath, Measurements.file(initramfsFile, alg)));
    }
}
