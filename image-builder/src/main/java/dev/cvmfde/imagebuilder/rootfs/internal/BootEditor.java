package dev.cvmfde.imagebuilder.rootfs.internal;

import dev.cvmfde.imagebuilder.initramfs.InitramfsOverlay;
import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import dev.cvmfde.imagebuilder.rootfs.GrubConfig;
import dev.cvmfde.refvalues.measure.BootFiles;
import dev.cvmfde.refvalues.measure.KernelFiles;
import dev.cvmfde.refvalues.measure.MeasureException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Edits a vfat boot partition image in place with mtools: grub.cfg's {@code linux} lines get the
 * encrypted root and the agent's parameters, every initramfs gets the overlay appended. Then the
 * partition is copied out again, so what is measured is what the partition holds.
 */
public final class BootEditor {
    /** The boot partition after editing, copied out. */
    public record Edited(Path tree, BootFiles files, String grubCfgPath, String grubCfg, GrubConfig.BootEntry entry) {
    }

    private BootEditor() {
    }

    public static Edited edit(Path bootImage, InitramfsOverlay overlay, WorkDir work) throws IOException, EncryptException {
        requireVfat(bootImage);
        Mtools fs = new Mtools(bootImage);
        Path original = work.resolve("boot-original");
        fs.extractAll(original);
        BootFiles files = discover(original);
        String cfgPath = original.relativize(files.grubCfg()).toString();
        String cfg = readGrubCfg(files.grubCfg());
        String newCfg = GrubConfig.rewrite(cfg, GrubConfig.AGENT_PARAMETERS);
        GrubConfig.BootEntry entry = GrubConfig.defaultEntry(newCfg).orElseThrow(() -> new EncryptException(
                EncryptException.Step.BOOT, cfgPath + " has no menu entry with a linux and an initrd line"));
        Path cfgFile = work.resolve("grub.cfg.new");
        Files.writeString(cfgFile, newCfg, StandardCharsets.UTF_8);
        fs.put(cfgFile, cfgPath);
        for (KernelFiles k : files.kernels()) {
            Path appended = work.resolve("initramfs.new");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(appended), 1 << 20)) {
                overlay.appendTo(k.initramfs(), out);
            }
            fs.put(appended, original.relativize(k.initramfs()).toString());
            Files.delete(appended);
        }
        deleteTree(original);
        Path measured = work.resolve("boot-written");
        fs.extractAll(measured);
        return new Edited(measured, discover(measured), cfgPath, newCfg, entry);
    }

    /** Adds {@code file} as {@code dir/name} to the partition (the simulated TEE's event log). */
    public static void addFile(Path bootImage, String dir, String name, Path file) throws EncryptException {
        Mtools fs = new Mtools(bootImage);
        fs.mkdirIfAbsent(dir);
        fs.put(file, dir + "/" + name);
    }

    private static BootFiles discover(Path tree) throws IOException, EncryptException {
        try {
            return BootFiles.discover(tree, List.of());
        } catch (MeasureException e) {
            throw new EncryptException(EncryptException.Step.BOOT, "boot partition: " + e.getMessage(), e);
        }
    }

    private static String readGrubCfg(Path file) throws IOException, EncryptException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(GrubConfig.MAX_GRUB_CFG_BYTES + 1);
            if (b.length > GrubConfig.MAX_GRUB_CFG_BYTES) {
                throw new EncryptException(EncryptException.Step.BOOT, "grub.cfg is larger than "
                        + GrubConfig.MAX_GRUB_CFG_BYTES + " bytes");
            }
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    private static void requireVfat(Path image) throws IOException, EncryptException {
        ByteBuffer b = ByteBuffer.allocate(2048);
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            while (b.hasRemaining() && ch.read(b) > 0) {
                // fill the first 2 KiB
            }
        }
        byte[] s = b.array();
        String fat32 = new String(s, 82, 5, StandardCharsets.US_ASCII);
        String fat16 = new String(s, 54, 5, StandardCharsets.US_ASCII);
        boolean bootSig = (s[510] & 0xff) == 0x55 && (s[511] & 0xff) == 0xaa;
        if (bootSig && (fat32.equals("FAT32") || fat16.startsWith("FAT1"))) {
            return;
        }
        boolean ext = (s[1080] & 0xff) == 0x53 && (s[1081] & 0xff) == 0xef;
        throw new EncryptException(EncryptException.Step.BOOT, "the boot partition is "
                + (ext ? "ext2/3/4" : "not a FAT file system") + "; only a vfat boot partition (the ESP holding grub,"
                + " grub.cfg, kernels and initramfs) is supported");
    }

    static void deleteTree(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
