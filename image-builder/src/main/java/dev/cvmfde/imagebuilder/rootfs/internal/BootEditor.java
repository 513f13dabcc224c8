package dev.cvmfde.imagebuilder.rootfs.internal;

import dev.cvmfde.imagebuilder.initramfs.InitramfsFormatException;
import dev.cvmfde.imagebuilder.initramfs.InitramfsOverlay;
import dev.cvmfde.imagebuilder.rootfs.BlsEntries;
import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import dev.cvmfde.imagebuilder.rootfs.GrubConfig;
import dev.cvmfde.refvalues.measure.BootFiles;
import dev.cvmfde.refvalues.measure.KernelFiles;
import dev.cvmfde.refvalues.measure.MeasureException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Edits a boot partition image in place (vfat with mtools, ext2/3/4 with debugfs): the kernel
 * command lines get the encrypted root and the agent's parameters, in grub.cfg's {@code linux}
 * lines or, when grub.cfg runs {@code blscfg}, in the BLS entries' {@code options} lines; every
 * initramfs gets the overlay appended. Then the partition is copied out again (with the ESP's
 * files under {@code efi/} when grub lives there), so what is measured is what the disk holds.
 */
public final class BootEditor {
    /** Where the ESP's files go in the measured tree when the boot partition is another one (as {@code /boot/efi}). */
    static final String ESP_DIR = "efi";

    /**
     * The boot partition after editing, copied out: the tree, its boot files, grub.cfg's path and
     * text, the entry grub boots by default and every kernel's arguments (by kernel file name).
     */
    public record Edited(Path tree, BootFiles files, String grubCfgPath, String grubCfg, GrubConfig.BootEntry entry,
                         Map<String, String> argumentsByKernel, boolean bls) {
        public Edited {
            argumentsByKernel = Map.copyOf(argumentsByKernel);
        }
    }

    private BootEditor() {
    }

    /** The overlay for the kernels whose initramfs get it, asked once they and their architecture are known. */
    @FunctionalInterface
    public interface OverlayForKernels {
        InitramfsOverlay overlay(List<RuntimeChoice.Kernel> kernels) throws IOException, EncryptException;
    }

    /**
     * Edits {@code fs}; {@code espTree} is the ESP's content when it is not {@code fs} itself;
     * {@code overlays} is asked for the overlay of the kernels whose initramfs get it (their
     * architecture picks the agent runtime in it) before anything is edited;
     * {@code replacements} are applied to grub.cfg after the command lines are rewritten (the
     * root file system's UUID → a new boot partition's, for a {@code /boot} moved out of the root).
     */
    public static Edited edit(BootFs fs, Optional<Path> espTree, OverlayForKernels overlays,
                              Map<String, String> replacements, WorkDir work) throws IOException, EncryptException {
        Path original = work.resolve("boot-original");
        fs.extractAll(original);
        Path base = espTree.isPresent() ? work.resolve("boot-original-measure") : original;
        BootFiles files = discover(original, espTree, base);
        InitramfsOverlay overlay = overlays.overlay(kernels(files, base));
        String cfgPath = base.relativize(files.grubCfg()).toString();
        String cfg = readBounded(files.grubCfg(), GrubConfig.MAX_GRUB_CFG_BYTES, "grub.cfg");
        List<BlsEntries.Entry> entries = blsEntries(original, cfg);
        String newCfg = entries.isEmpty() ? GrubConfig.rewrite(cfg, GrubConfig.AGENT_PARAMETERS) : cfg;
        for (Map.Entry<String, String> r : replacements.entrySet()) {
            newCfg = newCfg.replace(r.getKey(), r.getValue());
        }
        Map<String, String> args = new LinkedHashMap<>();
        GrubConfig.BootEntry entry;
        if (entries.isEmpty()) {
            entry = GrubConfig.defaultEntry(newCfg).orElseThrow(() -> new EncryptException(
                    EncryptException.Step.BOOT, cfgPath + " has no menu entry with a linux and an initrd line, and no"
                    + " BLS entries (" + BlsEntries.DIRECTORY + "/*.conf) with blscfg"));
            args.putAll(GrubConfig.argumentsByKernel(newCfg));
        } else {
            List<BlsEntries.Entry> rewritten = new ArrayList<>();
            for (BlsEntries.Entry e : entries) {
                String text = BlsEntries.rewrite(e, GrubConfig.AGENT_PARAMETERS);
                Path f = work.resolve("bls.conf.new");
                Files.writeString(f, text, StandardCharsets.UTF_8);
                fs.put(f, BlsEntries.DIRECTORY + "/" + e.fileName());
                Files.delete(f);
                BlsEntries.Entry n = BlsEntries.parse(e.fileName(), text);
                rewritten.add(n);
                String linux = n.get("linux").orElseThrow();
                args.putIfAbsent(linux.substring(linux.lastIndexOf('/') + 1), n.get("options").orElse(""));
            }
            entry = blsEntry(newCfg, BlsEntries.defaultEntry(rewritten), cfgPath);
        }
        if (!newCfg.equals(cfg)) {
            Path cfgFile = work.resolve("grub.cfg.new");
            Files.writeString(cfgFile, newCfg, StandardCharsets.UTF_8);
            fs.put(cfgFile, cfgPath);
            Files.delete(cfgFile);
        }
        for (KernelFiles k : files.kernels()) {
            Path appended = work.resolve("initramfs.new");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(appended), 1 << 20)) {
                overlay.appendTo(k.initramfs(), out);
            } catch (InitramfsFormatException e) {
                throw new EncryptException(EncryptException.Step.BOOT, e.getMessage(), e);
            }
            fs.put(appended, base.relativize(k.initramfs()).toString());
            Files.delete(appended);
        }
        deleteTree(original);
        deleteTree(work.resolve("boot-original-measure"));
        Path measured = work.resolve("boot-written");
        fs.extractAll(measured);
        BootFiles written = discover(measured, espTree, measured);
        return new Edited(measured, written, cfgPath, newCfg, entry, args, !entries.isEmpty());
    }

    /**
     * The kernels in the boot tree {@code tree} (the ESP's {@code espTree} beside it, as for
     * {@link #edit}) whose initramfs get the overlay, with their architectures; for a boot
     * partition that is yet to be made.
     */
    public static List<RuntimeChoice.Kernel> kernels(Path tree, Optional<Path> espTree, WorkDir work)
            throws IOException, EncryptException {
        Path base = espTree.isPresent() ? work.resolve("boot-kernels") : tree;
        try {
            return kernels(discover(tree, espTree, base), base);
        } finally {
            if (espTree.isPresent()) {
                deleteTree(base);
            }
        }
    }

    /** Each kernel that gets the overlay, named by its path in {@code base} ({@code /vmlinuz-…}). */
    private static List<RuntimeChoice.Kernel> kernels(BootFiles files, Path base) throws IOException, EncryptException {
        List<RuntimeChoice.Kernel> out = new ArrayList<>();
        for (KernelFiles k : files.kernels()) { // each one gets the agent: it must run on that kernel's CPU
            out.add(RuntimeChoice.Kernel.read(k.kernel(), "/" + base.relativize(k.kernel())));
        }
        return out;
    }

    /**
     * What grub runs for the default BLS entry: grub.cfg's top-level commands up to {@code blscfg},
     * then the commands of the menu entry blscfg makes ({@code load_video}, {@code set
     * gfxpayload=keep}, {@code insmod gzio}, then {@code linux} and {@code initrd}).
     */
    private static GrubConfig.BootEntry blsEntry(String cfg, BlsEntries.Entry e, String cfgPath) throws EncryptException {
        List<String> before = new ArrayList<>();
        for (String raw : cfg.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            before.add(line);
            if (line.equals("blscfg") || line.startsWith("blscfg ")) {
                break;
            }
        }
        before.addAll(List.of("load_video", "set gfxpayload=keep", "insmod gzio"));
        String initrd = e.get("initrd").orElseThrow(() -> new EncryptException(EncryptException.Step.BOOT,
                BlsEntries.DIRECTORY + "/" + e.fileName() + " has no initrd line; the agent lives in the initramfs"));
        return new GrubConfig.BootEntry(before, e.get("linux").orElseThrow(), e.get("options").orElse(""),
                initrd.split("[ \t]+")[0]);
    }

    /** The BLS entries when grub.cfg runs {@code blscfg} and the partition has some; else empty. */
    private static List<BlsEntries.Entry> blsEntries(Path tree, String cfg) throws IOException, EncryptException {
        boolean blscfg = cfg.lines().map(String::strip).anyMatch(l -> l.equals("blscfg") || l.startsWith("blscfg "));
        Path dir = tree.resolve(BlsEntries.DIRECTORY);
        if (!blscfg || !Files.isDirectory(dir)) {
            return List.of();
        }
        List<BlsEntries.Entry> out = new ArrayList<>();
        try (var s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".conf")).sorted().toList()) {
                out.add(BlsEntries.parse(p.getFileName().toString(),
                        readBounded(p, BlsEntries.MAX_ENTRY_BYTES, BlsEntries.DIRECTORY + "/" + p.getFileName())));
            }
        }
        if (out.isEmpty()) {
            throw new EncryptException(EncryptException.Step.BOOT, "grub.cfg runs blscfg but " + BlsEntries.DIRECTORY
                    + " holds no .conf entry");
        }
        return out;
    }

    /** Adds {@code file} as {@code dir/name} to the partition (the simulated TEE's event log). */
    public static void addFile(BootFs fs, String dir, String name, Path file) throws EncryptException {
        fs.mkdirIfAbsent(dir);
        fs.put(file, dir + "/" + name);
    }

    /**
     * The boot files in {@code tree}; when the ESP is another partition its files are copied under
     * {@code target/efi} first (grub's EFI image is there), {@code target} being {@code tree} or a
     * scratch copy.
     */
    private static BootFiles discover(Path tree, Optional<Path> espTree, Path target) throws IOException, EncryptException {
        Path root = tree;
        if (espTree.isPresent()) {
            if (!target.equals(tree)) {
                copyTree(tree, target);
            }
            copyTree(espTree.get(), target.resolve(ESP_DIR));
            root = target;
        }
        try {
            return BootFiles.discover(root, List.of());
        } catch (MeasureException e) {
            throw new EncryptException(EncryptException.Step.BOOT, "boot partition: " + e.getMessage(), e);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createDirectories(t.getParent());
                    Files.createSymbolicLink(t, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.createDirectories(t.getParent());
                    Files.copy(p, t);
                }
            }
        }
    }

    static String readBounded(Path file, int max, String what) throws IOException, EncryptException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw new EncryptException(EncryptException.Step.BOOT, what + " is larger than " + max + " bytes");
            }
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
