package dev.cvmfde.refvalues.uefi;

import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.predict.MeasuredFile;
import java.util.Objects;
import java.util.Optional;

/**
 * What a UEFI boot of an image runs and reads, as the firmware, shim and grub measure it into a
 * TPM: shim (optional) and grub by their Authenticode hashes; grub.cfg, the kernel and the
 * initramfs as files, by the paths grub logs; the {@code linux}/{@code initrd} commands as grub.cfg
 * spells them ({@code linuxefi}/{@code initrdefi} for Debian's signed grub) and the kernel arguments.
 */
public record UefiBoot(Optional<Digest> shim, Digest grub, MeasuredFile grubCfg, String linuxCommand, MeasuredFile kernel,
        String kernelArguments, String initrdCommand, MeasuredFile initramfs) {
    public UefiBoot {
        Objects.requireNonNull(shim, "shim");
        Objects.requireNonNull(grub, "grub");
        Objects.requireNonNull(grubCfg, "grubCfg");
        Objects.requireNonNull(linuxCommand, "linuxCommand");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(kernelArguments, "kernelArguments");
        Objects.requireNonNull(initrdCommand, "initrdCommand");
        Objects.requireNonNull(initramfs, "initramfs");
        DigestAlgorithm a = grub.algorithm();
        if (shim.map(d -> d.algorithm() != a).orElse(false) || grubCfg.digest().algorithm() != a
                || kernel.digest().algorithm() != a || initramfs.digest().algorithm() != a) {
            throw new IllegalArgumentException("all digests of a UEFI boot must use one algorithm");
        }
    }

    public DigestAlgorithm algorithm() {
        return grub.algorithm();
    }

    /** {@code PATH ARGS}: what {@code linux} is given and grub logs as {@code kernel_cmdline:}. */
    public String kernelLine() {
        return kernelArguments.isEmpty() ? kernel.path() : kernel.path() + " " + kernelArguments;
    }
}
