package dev.cvmfde.refvalues.measure;

import dev.cvmfde.refvalues.measure.MeasureException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The files of a boot chain found in a boot directory (the boot partition's root, or an
 * image's {@code /boot} with the ESP beneath it): the grub EFI image, grub.cfg and the kernels
 * with their initramfs. Use {@link #discover} to find them, or build one by hand.
 */
public record BootFiles(Path grubEfi, Path grubCfg, List<KernelFiles> kernels) {
    /** How deep below the boot directory EFI binaries and grub.cfg are looked for. */
    public static final int MAX_SEARCH_DEPTH = 5;
    /** Vendor grub images, preferred over the removable-media path (which may be shim). */
    private static final List<String> GRUB_NAMES = List.of("grubaa64.efi", "grubx64.efi");
    private static final List<String> FALLBACK_EFI_NAMES = List.of("bootaa64.efi", "bootx64.efi");
    private static final List<String> KERNEL_PREFIXES = List.of("vmlinuz-", "Image-");

    public BootFiles {
        Objects.requireNonNull(grubEfi, "grubEfi");
        Objects.requireNonNull(grubCfg, "grubCfg");
        kernels = List.copyOf(kernels);
        if (kernels.isEmpty()) {
            throw new IllegalArgumentException("at least one kernel is needed");
        }
    }

    /**
     * Finds the boot files under {@code bootDir}. With {@code versions} empty every kernel that
     * has an initramfs is taken; otherwise exactly those versions, each of which must exist.
     */
    public static BootFiles discover(Path bootDir, List<String> versions) throws IOException, MeasureException {
        if (!Files.isDirectory(bootDir)) {
            throw new MeasureException(Kind.NOT_FOUND, "boot directory " + bootDir + " does not exist");
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(bootDir, MAX_SEARCH_DEPTH)) {
            all = s.filter(Files::isRegularFile).sorted().toList();
        }
        Path efi = pick(all, GRUB_NAMES, "grub EFI image")
                .or(() -> pickQuiet(all, FALLBACK_EFI_NAMES))
                .orElseThrow(() -> new MeasureException(Kind.NOT_FOUND, "no grub EFI image (" + GRUB_NAMES + " or "
                        + FALLBACK_EFI_NAMES + ") under " + bootDir));
        Path cfg = grubCfg(bootDir, all);
        return new BootFiles(efi, cfg, kernels(bootDir, versions));
    }

    /**
     * The first-stage loader the firmware runs before grub: shim, found as the removable-media
     * loader ({@code BOOTX64.EFI}, {@code BOOTAA64.EFI}) in grub's own directory (shim starts the
     * {@code grubx64.efi} beside itself), when its bytes differ from grub's. Empty when the firmware
     * runs grub directly.
     */
    public Optional<Path> shim() throws IOException {
        if (!GRUB_NAMES.contains(lowerName(grubEfi)) || grubEfi.getParent() == null) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(grubEfi.getParent())) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                if (FALLBACK_EFI_NAMES.contains(lowerName(p)) && Files.mismatch(p, grubEfi) != -1) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    private static Path grubCfg(Path bootDir, List<Path> all) throws MeasureException {
        for (String dir : List.of("grub", "grub2")) {
            Path p = bootDir.resolve(dir).resolve("grub.cfg");
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return pick(all, List.of("grub.cfg"), "grub.cfg").orElseThrow(() -> new MeasureException(Kind.NOT_FOUND,
                "no grub.cfg under " + bootDir + " (looked in grub/, grub2/ and the EFI directories)"));
    }

    private static Optional<Path> pick(List<Path> all, List<String> names, String what) throws MeasureException {
        for (String name : names) {
            List<Path> hits = all.stream().filter(p -> lowerName(p).equals(name)).toList();
            if (hits.size() > 1) {
                throw new MeasureException(Kind.AMBIGUOUS, "several " + what + " candidates: " + hits
                        + "; name the one grub boots");
            }
            if (hits.size() == 1) {
                return Optional.of(hits.getFirst());
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> pickQuiet(List<Path> all, List<String> names) {
        for (String name : names) {
            Optional<Path> hit = all.stream().filter(p -> lowerName(p).equals(name)).findFirst();
            if (hit.isPresent()) {
                return hit;
            }
        }
        return Optional.empty();
    }

    private static String lowerName(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT);
    }

    private static List<KernelFiles> kernels(Path bootDir, List<String> versions) throws IOException, MeasureException {
        TreeMap<String, KernelFiles> found = new TreeMap<>();
        try (Stream<Path> s = Files.list(bootDir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                String name = p.getFileName().toString();
                for (String prefix : KERNEL_PREFIXES) {
                    if (name.startsWith(prefix) && name.length() > prefix.length()) {
                        String v = name.substring(prefix.length());
                        initramfs(bootDir, v).ifPresent(i -> found.putIfAbsent(v, new KernelFiles(v, p, i)));
                    }
                }
            }
        }
        if (versions.isEmpty()) {
            if (found.isEmpty()) {
                throw new MeasureException(Kind.NOT_FOUND, "no kernel (vmlinuz-V or Image-V) with an initramfs "
                        + "(initramfs-V.img or initrd.img-V) in " + bootDir);
            }
            return new ArrayList<>(found.values());
        }
        List<KernelFiles> out = new ArrayList<>();
        for (String v : versions) {
            KernelFiles k = found.get(v);
            if (k == null) {
                throw new MeasureException(Kind.NOT_FOUND, "kernel version " + v + ": expected vmlinuz-" + v
                        + " or Image-" + v + " and initramfs-" + v + ".img or initrd.img-" + v + " in " + bootDir
                        + "; found versions " + found.keySet());
            }
            out.add(k);
        }
        return out;
    }

    private static Optional<Path> initramfs(Path bootDir, String version) {
        for (String name : List.of("initramfs-" + version + ".img", "initrd.img-" + version)) {
            Path p = bootDir.resolve(name);
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
