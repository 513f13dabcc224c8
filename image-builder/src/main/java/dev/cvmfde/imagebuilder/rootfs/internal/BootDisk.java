package dev.cvmfde.imagebuilder.rootfs.internal;

import dev.cvmfde.imagebuilder.disk.VirtualDisk;
import dev.cvmfde.imagebuilder.initramfs.InitramfsOverlay;
import dev.cvmfde.imagebuilder.initramfs.OverlayEntry;
import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import dev.cvmfde.imagebuilder.rootfs.Fstab;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The partitions the builder edits, as image files in the work directory: the root file system
 * (checked with e2fsck, its {@code /etc/fstab} edited when needed), the boot partition (the
 * existing one, or for {@code /boot} inside the root a new ext4 one made from the root's
 * {@code /boot} with {@code mke2fs -d}, holding a {@code boot -> .} link so grub's {@code /boot/…}
 * paths still resolve) and the ESP (its grub.cfg stub pointed at the new boot partition, the
 * simulated TEE's event log when the boot partition is not vfat). The agent's overlay is made
 * once the architecture of the guest's kernels is known, with the runtime it picks ({@link
 * RuntimeChoice}): for a new boot partition before it is sized, else when the partition is edited.
 */
public final class BootDisk {
    /** Room left on a boot partition we make, beyond its files and the overlays appended to each initramfs. */
    static final long NEW_BOOT_SLACK_BYTES = 32L << 20;
    static final long MIB = 1L << 20;

    /** Makes the agent's overlay around the runtime chosen for the guest's kernels. */
    @FunctionalInterface
    public interface OverlayMaker {
        InitramfsOverlay overlay(RuntimeArch runtime) throws IOException, EncryptException;
    }

    private final Layout layout;
    private final RuntimeChoice runtimes;
    private final OverlayMaker overlayMaker;
    private final WorkDir work;
    private final Path rootImage;
    private final Debugfs rootFs;
    private final String rootFsUuid;
    private final Path bootImage;
    private final BootFs bootFs;
    private final Optional<Path> espImage;
    private final Optional<Path> espTree;
    private final long newBootBytes;
    private final Optional<UUID> newBootUuid;
    private boolean espEdited;
    private Optional<RuntimeChoice.Chosen> chosen;
    private Optional<InitramfsOverlay> overlay;

    private BootDisk(Layout layout, RuntimeChoice runtimes, OverlayMaker overlayMaker,
                     Optional<RuntimeChoice.Chosen> chosen, Optional<InitramfsOverlay> overlay, WorkDir work,
                     Path rootImage, String rootFsUuid, Path bootImage, BootFs bootFs, Optional<Path> espImage, Optional<Path> espTree, long newBootBytes,
                     Optional<UUID> newBootUuid) {
        this.layout = layout;
        this.runtimes = runtimes;
        this.overlayMaker = overlayMaker;
        this.chosen = chosen;
        this.overlay = overlay;
        this.work = work;
        this.rootImage = rootImage;
        this.rootFs = new Debugfs(rootImage);
        this.rootFsUuid = rootFsUuid;
        this.bootImage = bootImage;
        this.bootFs = bootFs;
        this.espImage = espImage;
        this.espTree = espTree;
        this.newBootBytes = newBootBytes;
        this.newBootUuid = newBootUuid;
    }

    /**
     * Copies out and checks the partitions of {@code layout}; for {@code /boot} in the root, makes
     * the new boot partition, sized for the overlay of the runtime its kernels pick.
     */
    public static BootDisk prepare(VirtualDisk in, Layout layout, RuntimeChoice runtimes, OverlayMaker overlayMaker,
                                   WorkDir work) throws IOException, EncryptException {
        Path rootImage = image(in, layout, layout.root(), work);
        new Debugfs(rootImage).check("the root file system (partition " + layout.root().index() + ")");
        String rootUuid = extUuid(rootImage);
        Optional<Path> espImage = Optional.empty();
        Optional<Path> espTree = Optional.empty();
        if (layout.esp().isPresent() && layout.esp().get().fs() == FsKind.VFAT) {
            espImage = Optional.of(image(in, layout, layout.esp().get(), work));
            Path tree = work.resolve("esp-tree");
            new Mtools(espImage.get()).extractAll(tree);
            espTree = Optional.of(tree);
        }
        return switch (layout.kind()) {
            case BOOT_PARTITION -> {
                DiskPartition boot = layout.boot().orElseThrow();
                Path img = image(in, layout, boot, work);
                BootFs fs = BootFs.of(boot.fs(), img);
                if (fs instanceof Debugfs d) {
                    d.check("the ext2/3/4 boot partition " + boot.index());
                }
                yield new BootDisk(layout, runtimes, overlayMaker, Optional.empty(), Optional.empty(), work, rootImage,
                        rootUuid, img, fs, espImage, espTree, 0, Optional.empty());
            }
            case BOOT_IN_ROOT -> {
                UUID uuid = UUID.randomUUID();
                Path src = work.resolve("boot-from-root");
                Files.createDirectories(src);
                new Debugfs(rootImage).extractDirectory("/boot", src);
                Path tree = src.resolve("boot");
                Path self = tree.resolve("boot");
                if (!Files.exists(self, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(self, Path.of("."));
                    java.nio.file.attribute.FileTime t = java.nio.file.attribute.FileTime.from(Mtools.EPOCH);
                    Files.getFileAttributeView(self, java.nio.file.attribute.BasicFileAttributeView.class,
                            LinkOption.NOFOLLOW_LINKS).setTimes(t, t, t);
                }
                RuntimeChoice.Chosen c = runtimes.choose(BootEditor.kernels(tree, espTree, work));
                InitramfsOverlay overlay = overlayMaker.overlay(c.runtime());
                long bytes = newBootSize(tree, overlay);
                Path img = work.resolve("boot-new.img");
                makeExt4(tree, img, bytes, uuid);
                BootEditor.deleteTree(src);
                yield new BootDisk(layout, runtimes, overlayMaker, Optional.of(c), Optional.of(overlay), work, rootImage,
                        rootUuid, img, new Debugfs(img), espImage, espTree, bytes, Optional.of(uuid));
            }
        };
    }

    /** Size of a boot partition we make (0 when the disk has one). */
    public long newBootBytes() {
        return newBootBytes;
    }

    /** The root file system image (edited by {@link #finishRoot}). */
    public Path rootImage() {
        return rootImage;
    }

    /**
     * Edits the boot partition (and, for a new one, the ESP's grub.cfg stub); refuses kernels of
     * different architectures, or of none of the runtimes'.
     */
    public BootEditor.Edited edit() throws IOException, EncryptException {
        Map<String, String> replacements = newBootUuid.map(u -> Map.of(rootFsUuid, u.toString())).orElse(Map.of());
        Optional<Path> separateEsp = bootFs instanceof Mtools && layout.boot().isPresent()
                && layout.boot().get().isEsp() ? Optional.empty() : espTree;
        BootEditor.Edited edited = BootEditor.edit(bootFs, separateEsp, this::overlayFor, replacements, work);
        if (newBootUuid.isPresent() && espTree.isPresent()) {
            pointEspAtNewBoot();
        }
        return edited;
    }

    /** The runtime that went into the image, and the kernels that picked it (once {@link #edit} has run). */
    public RuntimeChoice.Chosen chosen() {
        return chosen.orElseThrow(() -> new IllegalStateException("the boot partition is not edited yet"));
    }

    /** The overlay for the kernels found when editing: made now, or the one a new boot partition was sized for. */
    private InitramfsOverlay overlayFor(List<RuntimeChoice.Kernel> kernels) throws IOException, EncryptException {
        RuntimeChoice.Chosen c = runtimes.choose(kernels);
        if (chosen.isPresent() && !chosen.get().runtime().equals(c.runtime())) { // same /boot tree, same kernels
            throw new IllegalStateException("the new boot partition was sized for " + chosen.get().describe()
                    + ", its copy picks " + c.describe());
        }
        if (overlay.isEmpty()) {
            overlay = Optional.of(overlayMaker.overlay(c.runtime()));
        }
        chosen = Optional.of(c);
        return overlay.get();
    }

    /** Where the simulated TEE's event log goes: a vfat partition (the guest's hook mounts vfat), else the boot partition. */
    public BootFs simulatedLogFs() {
        if (bootFs instanceof Mtools || espImage.isEmpty()) {
            return bootFs;
        }
        espEdited = true;
        return new Mtools(espImage.get());
    }

    /**
     * {@code /etc/fstab} in the root: the root named by device path or PARTUUID becomes
     * {@code /dev/mapper/encroot}; a new boot partition gets a {@code /boot} line (by UUID).
     */
    public void finishRoot() throws IOException, EncryptException {
        Optional<String> fstab = rootFs.read("/etc/fstab");
        if (fstab.isEmpty()) {
            if (newBootUuid.isPresent()) {
                throw new EncryptException(EncryptException.Step.BOOT, "the root has no /etc/fstab to mount the new boot"
                        + " partition from");
            }
            return;
        }
        if (fstab.get().length() > Fstab.MAX_FSTAB_BYTES) {
            throw new EncryptException(EncryptException.Step.BOOT, "/etc/fstab is larger than " + Fstab.MAX_FSTAB_BYTES
                    + " bytes");
        }
        Optional<String> bootLine = newBootUuid.map(u -> "UUID=" + u + " /boot ext4 defaults 0 2");
        Optional<String> edited = Fstab.rewrite(fstab.get(), bootLine);
        if (edited.isPresent()) {
            Path f = work.resolve("fstab.new");
            Files.writeString(f, edited.get(), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
            rootFs.put(f, "/etc/fstab");
            Files.delete(f);
            rootFs.check("the root file system after editing /etc/fstab");
        }
    }

    /** The edited partitions and where they go on the output disk. */
    public List<DiskWrite.Placement> placements(DiskPlan plan) {
        List<DiskWrite.Placement> out = new ArrayList<>();
        if (layout.kind() == Layout.Kind.BOOT_PARTITION) {
            DiskPartition b = layout.boot().orElseThrow();
            out.add(new DiskWrite.Placement(bootImage, layout.offsetOf(b), layout.lengthOf(b)));
        } else {
            DiskPlan.NewPartition n = plan.newBoot().orElseThrow();
            out.add(new DiskWrite.Placement(bootImage, n.offset(), n.length()));
        }
        if (espEdited) {
            DiskPartition e = layout.esp().orElseThrow();
            out.add(new DiskWrite.Placement(espImage.orElseThrow(), layout.offsetOf(e), layout.lengthOf(e)));
        }
        return out;
    }

    /** The ESP's grub.cfg files that searched the root by its UUID now search the new boot partition. */
    private void pointEspAtNewBoot() throws IOException, EncryptException {
        Path tree = espTree.orElseThrow();
        Mtools esp = new Mtools(espImage.orElseThrow());
        List<Path> cfgs;
        try (var walk = Files.walk(tree, 4)) {
            cfgs = walk.filter(p -> p.getFileName().toString().equalsIgnoreCase("grub.cfg")).sorted().toList();
        }
        for (Path cfg : cfgs) {
            String text = BootEditor.readBounded(cfg, dev.cvmfde.imagebuilder.rootfs.GrubConfig.MAX_GRUB_CFG_BYTES,
                    "the ESP's " + tree.relativize(cfg));
            if (text.contains(rootFsUuid)) {
                String edited = text.replace(rootFsUuid, newBootUuid.orElseThrow().toString());
                Path f = work.resolve("esp-grub.cfg.new");
                Files.writeString(f, edited, StandardCharsets.UTF_8);
                esp.put(f, tree.relativize(cfg).toString());
                Files.delete(f);
                Files.writeString(cfg, edited, StandardCharsets.UTF_8);
                espEdited = true;
            }
        }
    }

    private static Path image(VirtualDisk in, Layout layout, DiskPartition p, WorkDir work) throws IOException {
        Path img = layout.image(p);
        if (img == null) {
            img = work.resolve("part" + p.index() + ".img");
            DiskWrite.extract(in, layout.offsetOf(p), layout.lengthOf(p), img);
        }
        return img;
    }

    /** The ext2/3/4 file system UUID (superblock at 1024, s_uuid at 0x68), lowercase. */
    static String extUuid(Path image) throws IOException {
        byte[] u = new byte[16];
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "r")) {
            f.seek(1024 + 0x68);
            f.readFully(u);
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(u);
        return new UUID(b.getLong(), b.getLong()).toString();
    }

    private static long newBootSize(Path tree, InitramfsOverlay overlay) throws IOException {
        long files = 0;
        int kernels = 0;
        try (var walk = Files.walk(tree)) {
            for (Path p : walk.toList()) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    files += Files.size(p);
                    String n = p.getFileName().toString();
                    if (p.getParent().equals(tree) && (n.startsWith("initrd.img-") || n.startsWith("initramfs-"))) {
                        kernels++;
                    }
                }
            }
        }
        long overlayBytes = 0;
        for (OverlayEntry e : overlay.entries()) {
            overlayBytes += (e.kind() == OverlayEntry.Kind.FILE ? e.content().length : 0) + 512;
        }
        long raw = files + Math.max(1, kernels) * (overlayBytes + MIB) + NEW_BOOT_SLACK_BYTES;
        return Math.ceilDiv(raw + raw / 8, MIB) * MIB;
    }

    private static void makeExt4(Path tree, Path img, long bytes, UUID uuid) throws IOException, EncryptException {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(bytes);
        }
        ExternalTool.Result r = ExternalTool.exec(List.of("mke2fs", "-q", "-F", "-t", "ext4", "-L", "boot", "-U",
                uuid.toString(), "-E", "root_owner=0:0", "-d", tree.toString(), img.toString()),
                Map.of("E2FSPROGS_FAKE_TIME", Long.toString(Mtools.sourceDateEpoch())), "e2fsprogs");
        if (!r.ok()) {
            throw new EncryptException(EncryptException.Step.TOOL, "mke2fs -d for the new boot partition failed (exit "
                    + r.exit() + "): " + (r.output() + r.errors()).strip());
        }
    }
}
