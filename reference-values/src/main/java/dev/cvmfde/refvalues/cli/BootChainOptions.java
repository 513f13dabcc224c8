package dev.cvmfde.refvalues.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The boot files grub loads and the paths it logs them by, shared by {@code predict} and {@code predict-uefi}. */
final class BootChainOptions {
    @Option(names = "--grub-efi", required = true) Path grubEfi;
    @Option(names = "--grub-cfg", required = true) Path grubCfg;
    @Option(names = "--grub-cfg-path", required = true, description = "grub.cfg's path as grub logs it") String grubCfgPath;
    @Option(names = "--kernel", required = true) Path kernel;
    @Option(names = "--kernel-path", required = true, description = "kernel path as in grub.cfg") String kernelPath;
    @Option(names = "--kernel-args", defaultValue = "", description = "kernel arguments after the path") String args;
    @Option(names = "--initramfs", required = true) Path initramfs;
    @Option(names = "--initramfs-path", required = true) String initramfsPath;
}
