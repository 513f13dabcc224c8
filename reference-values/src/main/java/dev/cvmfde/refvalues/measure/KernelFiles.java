package dev.cvmfde.refvalues.measure;

import java.nio.file.Path;
import java.util.Objects;

/** One kernel version's files in a boot directory. */
public record KernelFiles(String version, Path kernel, Path initramfs) {
    public KernelFiles {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initramfs, "initramfs");
    }
}
