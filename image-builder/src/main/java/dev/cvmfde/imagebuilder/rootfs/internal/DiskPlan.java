package dev.cvmfde.imagebuilder.rootfs.internal;

import dev.cvmfde.imagebuilder.partition.GptPartition;
import dev.cvmfde.imagebuilder.partition.GptTable;
import dev.cvmfde.imagebuilder.partition.MbrPartition;
import dev.cvmfde.imagebuilder.partition.MbrTable;
import dev.cvmfde.imagebuilder.partition.TableWrite;
import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Where things go on the output disk. The root partition grows by the LUKS header at its end
 * when the space after it is free (its start stays, so the header lands where the file system
 * began and the file system follows block for block); otherwise (a root followed by another
 * partition) it moves to the end of the grown disk, and its old place is left as zeros. A boot
 * partition made for a {@code /boot} that was inside the root goes after everything else. The
 * disk grows to the next whole MiB that holds it all; a GPT's backup header moves to the new end.
 */
public record DiskPlan(long rootInOffset, long rootBytes, long rootOutOffset, Optional<NewPartition> newBoot,
                       long outputBytes, long inputCopyEnd, List<TableWrite> tableWrites, boolean rootMoved) {
    static final long MIB = 1 << 20;
    /** GPT type of a boot partition we make: XBOOTLDR, as the Discoverable Partitions Specification names it. */
    static final UUID XBOOTLDR = UUID.fromString(DiskPartition.XBOOTLDR);
    /** MBR type byte of a boot partition we make: Linux. */
    static final int MBR_LINUX = 0x83;

    /** A partition the builder adds: its number and byte range. */
    public record NewPartition(int index, long offset, long length) {
    }

    public DiskPlan {
        tableWrites = List.copyOf(tableWrites);
    }

    /**
     * The plan for {@code layout} on a disk of {@code inputBytes}; {@code newBootBytes} is the
     * size of a boot partition to add (0: none); {@code sector0} the input's first sector (an
     * MBR's boot code and signature are kept).
     */
    public static DiskPlan of(Layout layout, long inputBytes, long headerBytes, long newBootBytes, byte[] sector0)
            throws EncryptException {
        int ss = layout.table().sectorSize();
        if (headerBytes % ss != 0) {
            throw new EncryptException(EncryptException.Step.PARTITIONS, "LUKS header of " + headerBytes
                    + " bytes is not a whole number of " + ss + "-byte sectors");
        }
        if (newBootBytes % MIB != 0) {
            throw new IllegalArgumentException("a new boot partition of " + newBootBytes + " bytes is not whole MiB");
        }
        DiskPartition root = layout.root();
        long grow = headerBytes / ss;
        long align = MIB / ss;
        long otherEnd = 0;
        long nextStart = Long.MAX_VALUE;
        for (DiskPartition p : layout.partitions()) {
            if (p.index() != root.index()) {
                otherEnd = Math.max(otherEnd, p.lastLba());
                if (p.firstLba() > root.lastLba()) {
                    nextStart = Math.min(nextStart, p.firstLba());
                }
            }
        }
        boolean inPlace = root.lastLba() + grow < nextStart;
        long rootFirst = inPlace ? root.firstLba() : Math.ceilDiv(otherEnd + 1, align) * align;
        long rootLast = rootFirst + root.sectors() + grow - 1;
        long end = Math.max(otherEnd, rootLast);
        Optional<NewPartition> boot = Optional.empty();
        long bootFirst = 0;
        if (newBootBytes > 0) {
            bootFirst = Math.ceilDiv(end + 1, align) * align;
            int index = freeIndex(layout);
            boot = Optional.of(new NewPartition(index, bootFirst * ss, newBootBytes));
            end = bootFirst + newBootBytes / ss - 1;
        }
        try {
            return switch (layout.table()) {
                case GptTable g -> {
                    long required = (end + 1 + g.entriesSectors() + 1) * ss;
                    long outputBytes = Math.max(inputBytes, Math.ceilDiv(required, MIB) * MIB);
                    GptPartition r = g.partition(root.index()).orElseThrow();
                    GptTable out = g.resizedTo(outputBytes).withPartition(new GptPartition(r.index(), r.typeGuid(),
                            r.uniqueGuid(), rootFirst, rootLast, r.attributes(), r.name()));
                    if (boot.isPresent()) {
                        out = out.withPartition(new GptPartition(boot.get().index(), XBOOTLDR,
                                nameUuid("cvm-fde boot " + g.diskGuid()), bootFirst, end, 0, "boot"));
                    }
                    yield new DiskPlan(layout.offsetOf(root), layout.lengthOf(root), rootFirst * ss, boot, outputBytes,
                            g.backupEntriesLba() * ss, out.encode(), !inPlace);
                }
                case MbrTable m -> {
                    long outputBytes = Math.max(inputBytes, Math.ceilDiv((end + 1) * ss, MIB) * MIB);
                    MbrPartition r = m.partition(root.index()).orElseThrow();
                    MbrTable out = m.withPartition(new MbrPartition(r.index(), r.bootable(), r.type(), rootFirst,
                            rootLast - rootFirst + 1));
                    if (boot.isPresent()) {
                        out = out.withPartition(new MbrPartition(boot.get().index(), false, MBR_LINUX, bootFirst,
                                end - bootFirst + 1));
                    }
                    yield new DiskPlan(layout.offsetOf(root), layout.lengthOf(root), rootFirst * ss, boot, outputBytes,
                            inputBytes, List.of(out.encode(sector0)), !inPlace);
                }
            };
        } catch (IllegalArgumentException e) {
            throw new EncryptException(EncryptException.Step.PARTITIONS, "new partition table: " + e.getMessage(), e);
        }
    }

    private static int freeIndex(Layout layout) throws EncryptException {
        int max = switch (layout.table()) {
            case GptTable g -> g.entryCount();
            case MbrTable m -> 4;
        };
        for (int i = 1; i <= max; i++) {
            int n = i;
            if (layout.partitions().stream().noneMatch(p -> p.index() == n)) {
                return i;
            }
        }
        throw new EncryptException(EncryptException.Step.PARTITIONS, "no free partition entry for the boot partition"
                + " that /boot needs (all " + max + " are used)");
    }

    /** A stable GUID derived from {@code name} (so a build is reproducible). */
    static UUID nameUuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
