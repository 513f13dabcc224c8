package dev.cvmfde.imagebuilder.rootfs.internal;

import dev.cvmfde.imagebuilder.disk.VirtualDisk;
import dev.cvmfde.imagebuilder.partition.PartitionTable;
import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a guest keeps its root and its boot files, found by partition type and content (the
 * Discoverable Partitions Specification), not by number:
 * <ul>
 *   <li>root: the one partition typed root-x86-64 / root-arm64; else the one ext2/3/4 Linux-data
 *       (GPT 0fc63daf…, MBR 0x83) partition holding {@code /etc/fstab};</li>
 *   <li>boot: the XBOOTLDR partition; else a vfat or ext2/3/4 partition other than the root
 *       whose top directory holds kernels ({@code vmlinuz-V}/{@code Image-V}); else the root's
 *       own {@code /boot} ({@link Kind#BOOT_IN_ROOT}, Debian's cloud images: a clear boot
 *       partition is made for it);</li>
 *   <li>ESP: the EFI-system partition (GPT c12a7328…, MBR 0xEF), if any.</li>
 * </ul>
 * {@code --root-partition}/{@code --boot-partition} override the search. A root on LVM, a
 * {@code /boot} on xfs or btrfs and two candidate roots are refused, saying what is supported.
 * Every partition that had to be looked into is copied to the work directory once and kept
 * ({@link #image}).
 */
public record Layout(Kind kind, PartitionTable table, List<DiskPartition> partitions, DiskPartition root,
                     Optional<DiskPartition> boot, Optional<DiskPartition> esp, Map<Integer, Path> images) {
    /** Where the boot files are. */
    public enum Kind {
        /** A partition of their own (vfat, possibly the ESP itself, or ext2/3/4). */
        BOOT_PARTITION,
        /** In the root file system's /boot, beside an ESP (Debian's cloud images). */
        BOOT_IN_ROOT
    }

    static final String SUPPORTED = "supported: a vfat or ext2/3/4 boot partition (XBOOTLDR or holding the kernels),"
            + " or /boot inside an ext2/3/4 root beside an ESP; the root on ext2/3/4 in a plain partition (GPT or MBR)";

    public Layout {
        partitions = List.copyOf(partitions);
        images = Map.copyOf(images);
    }

    /** The copy of partition {@code p} in the work directory (made when it was looked into). */
    public Path image(DiskPartition p) {
        return images.get(p.index());
    }

    public long offsetOf(DiskPartition p) {
        return p.firstLba() * table.sectorSize();
    }

    public long lengthOf(DiskPartition p) {
        return p.sectors() * table.sectorSize();
    }

    /** Finds the layout of {@code disk}; {@code bootIndex}/{@code rootIndex} 0 mean "search". */
    public static Layout find(VirtualDisk disk, PartitionTable table, int bootIndex, int rootIndex, WorkDir work)
            throws IOException, EncryptException {
        return new Finder(disk, table, work).find(bootIndex, rootIndex);
    }

    private static final class Finder {
        private final VirtualDisk disk;
        private final PartitionTable table;
        private final WorkDir work;
        private final List<DiskPartition> parts = new ArrayList<>();
        private final Map<Integer, Path> images = new HashMap<>();

        Finder(VirtualDisk disk, PartitionTable table, WorkDir work) throws IOException {
            this.disk = disk;
            this.table = table;
            this.work = work;
            int ss = table.sectorSize();
            for (DiskPartition p : DiskPartition.of(table)) {
                long off = p.firstLba() * ss;
                long len = p.sectors() * ss;
                if (off + len > disk.size()) {
                    parts.add(p.withFs(FsKind.UNKNOWN));
                } else {
                    parts.add(p.withFs(FsKind.probe(disk, off, len)));
                }
            }
        }

        Layout find(int bootIndex, int rootIndex) throws IOException, EncryptException {
            DiskPartition root = rootIndex > 0 ? byIndex(rootIndex, "root") : findRoot();
            requireRootFs(root);
            Optional<DiskPartition> esp = parts.stream().filter(p -> p.index() != root.index() && p.isEsp()).findFirst()
                    .or(() -> parts.stream().filter(p -> p.index() != root.index() && p.fs() == FsKind.VFAT).findFirst());
            if (bootIndex > 0) {
                DiskPartition boot = byIndex(bootIndex, "boot");
                if (boot.index() == root.index()) {
                    throw new EncryptException(EncryptException.Step.PARTITIONS, "boot and root are both partition "
                            + boot.index());
                }
                requireBootFs(boot);
                return layout(Kind.BOOT_PARTITION, root, Optional.of(boot), esp.filter(e -> e.index() != boot.index()));
            }
            Optional<DiskPartition> boot = findBoot(root);
            if (boot.isPresent()) {
                DiskPartition b = boot.get();
                return layout(Kind.BOOT_PARTITION, root, boot, esp.filter(e -> e.index() != b.index()));
            }
            Debugfs rootFs = new Debugfs(extract(root));
            if (!hasKernels(rootFs, "boot")) {
                throw new EncryptException(EncryptException.Step.PARTITIONS, "no boot files: no XBOOTLDR partition, no vfat"
                        + " or ext2/3/4 partition holding kernels, and no kernels in the root's /boot; the disk has "
                        + describeAll() + "; " + SUPPORTED);
            }
            if (esp.isEmpty()) {
                throw new EncryptException(EncryptException.Step.PARTITIONS, "/boot is inside the root (partition "
                        + root.index() + ") and the disk has no EFI system partition to boot it from; " + SUPPORTED);
            }
            return layout(Kind.BOOT_IN_ROOT, root, Optional.empty(), esp);
        }

        private Layout layout(Kind kind, DiskPartition root, Optional<DiskPartition> boot, Optional<DiskPartition> esp) {
            return new Layout(kind, table, parts, root, boot, esp, images);
        }

        private DiskPartition findRoot() throws IOException, EncryptException {
            List<DiskPartition> typed = parts.stream().filter(DiskPartition::isRootType).toList();
            if (typed.size() > 1) {
                throw twoRoots(typed, "typed as root");
            }
            if (typed.size() == 1) {
                return typed.getFirst();
            }
            List<DiskPartition> roots = new ArrayList<>();
            for (DiskPartition p : parts) {
                if (p.isLinuxData() && p.fs() == FsKind.EXT && new Debugfs(extract(p)).exists("/etc/fstab")) {
                    roots.add(p);
                }
            }
            if (roots.size() > 1) {
                throw twoRoots(roots, "holding /etc/fstab");
            }
            if (roots.isEmpty()) {
                Optional<DiskPartition> lvm = parts.stream().filter(p -> p.isLvmType() || p.fs() == FsKind.LVM).findFirst();
                if (lvm.isPresent()) {
                    throw new EncryptException(EncryptException.Step.PARTITIONS, "the root appears to be on LVM ("
                            + lvm.get().describe() + "): an LVM root is not supported; " + SUPPORTED);
                }
                throw new EncryptException(EncryptException.Step.PARTITIONS, "no root partition found: none is typed root"
                        + " (x86-64 4f68bce3-…, arm64 b921b045-…) and no ext2/3/4 Linux-data partition holds /etc/fstab;"
                        + " the disk has " + describeAll() + " (give --root-partition N)");
            }
            return roots.getFirst();
        }

        private EncryptException twoRoots(List<DiskPartition> candidates, String why) {
            return new EncryptException(EncryptException.Step.PARTITIONS, "two candidate roots: partitions "
                    + candidates.stream().map(DiskPartition::index).toList() + " are both " + why
                    + "; give --root-partition N to choose");
        }

        private Optional<DiskPartition> findBoot(DiskPartition root) throws IOException, EncryptException {
            for (DiskPartition p : parts) {
                if (p.index() != root.index() && p.isXbootldr()) {
                    requireBootFs(p);
                    return Optional.of(p);
                }
            }
            List<DiskPartition> found = new ArrayList<>();
            for (DiskPartition p : parts) {
                if (p.index() == root.index() || p.isLvmType()) {
                    continue;
                }
                if (p.fs() == FsKind.EXT || p.fs() == FsKind.VFAT) {
                    if (hasKernels(BootFs.of(p.fs(), extract(p)), "")) {
                        found.add(p);
                    }
                }
            }
            if (found.size() > 1) {
                throw new EncryptException(EncryptException.Step.PARTITIONS, "partitions "
                        + found.stream().map(DiskPartition::index).toList()
                        + " all hold kernels; give --boot-partition N to choose");
            }
            if (found.isEmpty()) {
                Optional<DiskPartition> other = parts.stream().filter(p -> p.index() != root.index()
                        && (p.fs() == FsKind.XFS || p.fs() == FsKind.BTRFS) && (p.isLinuxData() || p.isXbootldr()))
                        .findFirst();
                if (other.isPresent() && !new Debugfs(extract(root)).list("boot").stream().anyMatch(Finder::isKernel)) {
                    throw new EncryptException(EncryptException.Step.BOOT, "the boot files seem to be on "
                            + other.get().describe() + ": /boot on " + other.get().fs().label() + " is not supported; "
                            + SUPPORTED);
                }
            }
            return found.stream().findFirst();
        }

        private static boolean hasKernels(BootFs fs, String dir) throws EncryptException {
            return fs.list(dir).stream().anyMatch(Finder::isKernel);
        }

        private static boolean isKernel(String name) {
            return (name.startsWith("vmlinuz-") && name.length() > 8) || (name.startsWith("Image-") && name.length() > 6);
        }

        private void requireRootFs(DiskPartition root) throws EncryptException {
            if (root.fs() == FsKind.LVM || root.isLvmType()) {
                throw new EncryptException(EncryptException.Step.PARTITIONS, "root " + root.describe()
                        + " is an LVM physical volume: an LVM root is not supported; " + SUPPORTED);
            }
            if (root.fs() != FsKind.EXT) {
                throw new EncryptException(EncryptException.Step.PARTITIONS, "root " + root.describe()
                        + " does not hold an ext2/3/4 file system; " + SUPPORTED);
            }
        }

        private void requireBootFs(DiskPartition boot) throws EncryptException {
            if (boot.fs() != FsKind.VFAT && boot.fs() != FsKind.EXT) {
                throw new EncryptException(EncryptException.Step.BOOT, "boot " + boot.describe() + ": /boot on "
                        + boot.fs().label() + " is not supported; " + SUPPORTED);
            }
        }

        private DiskPartition byIndex(int index, String role) throws EncryptException {
            return parts.stream().filter(p -> p.index() == index).findFirst().orElseThrow(() -> new EncryptException(
                    EncryptException.Step.PARTITIONS, role + " partition " + index + " is missing; the disk has partitions "
                    + parts.stream().map(DiskPartition::index).toList() + " (give --" + role + "-partition N)"));
        }

        private String describeAll() {
            return parts.isEmpty() ? "no partitions" : String.join(", ", parts.stream().map(DiskPartition::describe).toList());
        }

        /** The partition copied into the work directory (once). */
        private Path extract(DiskPartition p) throws IOException {
            Path img = images.get(p.index());
            if (img == null) {
                img = work.resolve("part" + p.index() + ".img");
                long ss = table.sectorSize();
                if ((p.lastLba() + 1) * ss > disk.size()) {
                    throw new IOException("partition " + p.index() + " ends beyond the disk's " + disk.size() + " bytes");
                }
                DiskWrite.extract(disk, p.firstLba() * ss, p.sectors() * ss, img);
                images.put(p.index(), img);
            }
            return img;
        }
    }
}
