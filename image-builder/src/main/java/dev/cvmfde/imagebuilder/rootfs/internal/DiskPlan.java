package dev.cvmfde.imagebuilder.rootfs.internal;

import dev.cvmfde.imagebuilder.partition.GptPartition;
import dev.cvmfde.imagebuilder.partition.GptTable;
import dev.cvmfde.imagebuilder.rootfs.EncryptException;

/**
 * Where things go on the output disk: the root partition grows by the LUKS header at its end
 * (its start stays, so the header lands where the file system began and the file system follows
 * block for block), the disk grows as needed (whole MiB), the backup GPT moves to the new end.
 */
public record DiskPlan(GptTable input, GptTable output, GptPartition boot, GptPartition root, long outputBytes) {
    static final long MIB = 1 << 20;

    public static DiskPlan of(GptTable table, long inputBytes, int bootIndex, int rootIndex, long headerBytes)
            throws EncryptException {
        GptPartition boot = find(table, bootIndex, "boot");
        GptPartition root = find(table, rootIndex, "root");
        int sector = table.sectorSize();
        if (headerBytes % sector != 0) {
            throw new EncryptException(EncryptException.Step.PARTITIONS, "LUKS header of " + headerBytes
                    + " bytes is not a whole number of " + sector + "-byte sectors");
        }
        long newLast = root.lastLba() + headerBytes / sector;
        for (GptPartition q : table.partitions()) {
            if (q.index() != root.index() && q.firstLba() > root.lastLba() && q.firstLba() <= newLast) {
                throw new EncryptException(EncryptException.Step.PARTITIONS, "root partition " + rootIndex
                        + " must grow by " + headerBytes / MIB + " MiB for the LUKS header, but partition " + q.index()
                        + " starts " + (q.firstLba() - root.lastLba() - 1) * sector / 1024
                        + " KiB after it; the root must be the last partition or be followed by enough free space");
            }
        }
        long required = (newLast + 1 + table.entriesSectors() + 1) * sector;
        long outputBytes = Math.max(inputBytes, Math.ceilDiv(required, MIB) * MIB);
        GptTable out;
        try {
            out = table.resizedTo(outputBytes).withPartition(root.withLastLba(newLast));
        } catch (IllegalArgumentException e) {
            throw new EncryptException(EncryptException.Step.PARTITIONS, "new partition table: " + e.getMessage(), e);
        }
        return new DiskPlan(table, out, boot, root, outputBytes);
    }

    private static GptPartition find(GptTable t, int index, String role) throws EncryptException {
        return t.partition(index).orElseThrow(() -> new EncryptException(EncryptException.Step.PARTITIONS, role
                + " partition " + index + " is missing; the disk has partitions "
                + t.partitions().stream().map(GptPartition::index).toList()
                + " (give --" + role + "-partition N)"));
    }

    public long rootOffset() {
        return input.offsetOf(root);
    }

    public long rootBytes() {
        return input.lengthOf(root);
    }

    public long bootOffset() {
        return input.offsetOf(boot);
    }

    public long bootBytes() {
        return input.lengthOf(boot);
    }

    /** Where the input's own backup GPT starts; nothing from there on is copied. */
    public long inputBackupStart() {
        return input.backupEntriesLba() * input.sectorSize();
    }
}
