package dev.cvmfde.imagebuilder.partition;

import dev.cvmfde.imagebuilder.partition.internal.GptCodec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A validated GUID partition table, immutable. Modify it with {@link #withPartition} and
 * {@link #resizedTo}; {@link #encode()} yields the protective MBR, primary header and entries,
 * backup entries and backup header with fresh CRCs, ready to write.
 */
public final class GptTable implements PartitionTable {

    private final int sectorSize;
    private final UUID diskGuid;
    private final long diskSectors;
    private final long firstUsableLba;
    private final long lastUsableLba;
    private final long primaryEntriesLba;
    private final int entryCount;
    private final int entrySize;
    private final List<GptPartition> partitions;
    private final byte[] mbrBootCode;

    /**
     * Builds a table; partitions must lie within the usable LBAs, have distinct indexes within
     * {@code entryCount} and not overlap. {@code mbrBootCode} (up to 446 bytes) is kept in the
     * protective MBR.
     */
    public GptTable(int sectorSize, UUID diskGuid, long diskSectors, long firstUsableLba, long lastUsableLba,
                    long primaryEntriesLba, int entryCount, int entrySize, List<GptPartition> partitions,
                    byte[] mbrBootCode) {
        this.sectorSize = sectorSize;
        this.diskGuid = diskGuid;
        this.diskSectors = diskSectors;
        this.firstUsableLba = firstUsableLba;
        this.lastUsableLba = lastUsableLba;
        this.primaryEntriesLba = primaryEntriesLba;
        this.entryCount = entryCount;
        this.entrySize = entrySize;
        this.partitions = partitions.stream().sorted(Comparator.comparingInt(GptPartition::index)).toList();
        this.mbrBootCode = mbrBootCode.clone();
        GptCodec.validateLayout(this);
    }

    @Override
    public int sectorSize() {
        return sectorSize;
    }

    public UUID diskGuid() {
        return diskGuid;
    }

    /**
     * Disk size in sectors as this table records it: the backup header sits in the last one. A
     * table read from a disk that was grown afterwards still reports the old size until
     * {@link #resizedTo} moves the backup.
     */
    public long diskSectors() {
        return diskSectors;
    }

    public long firstUsableLba() {
        return firstUsableLba;
    }

    public long lastUsableLba() {
        return lastUsableLba;
    }

    public long primaryEntriesLba() {
        return primaryEntriesLba;
    }

    /** LBA of the backup entry array, just before the backup header. */
    public long backupEntriesLba() {
        return diskSectors - 1 - entriesSectors();
    }

    public int entryCount() {
        return entryCount;
    }

    public int entrySize() {
        return entrySize;
    }

    /** Sectors the entry array occupies. */
    public long entriesSectors() {
        return ((long) entryCount * entrySize + sectorSize - 1) / sectorSize;
    }

    /** Used entries, ordered by index. */
    public List<GptPartition> partitions() {
        return partitions;
    }

    public Optional<GptPartition> partition(int index) {
        return partitions.stream().filter(p -> p.index() == index).findFirst();
    }

    /** Byte offset of {@code p} on the disk. */
    public long offsetOf(GptPartition p) {
        return p.firstLba() * sectorSize;
    }

    /** Size of {@code p} in bytes. */
    public long lengthOf(GptPartition p) {
        return p.sectors() * sectorSize;
    }

    /** The first 446 bytes of the MBR (boot code, disk signature), kept when re-encoding. */
    public byte[] mbrBootCode() {
        return mbrBootCode.clone();
    }

    /** This table with {@code p} added or replacing the entry of the same index; validated. */
    public GptTable withPartition(GptPartition p) {
        List<GptPartition> next = new ArrayList<>(partitions.stream().filter(q -> q.index() != p.index()).toList());
        next.add(p);
        return new GptTable(sectorSize, diskGuid, diskSectors, firstUsableLba, lastUsableLba, primaryEntriesLba,
                entryCount, entrySize, next, mbrBootCode);
    }

    /**
     * This table for a disk of {@code diskBytes}: the backup header moves to the new last sector,
     * the backup entries before it, and the last usable LBA follows. Fails if a partition would
     * no longer fit.
     */
    public GptTable resizedTo(long diskBytes) {
        if (diskBytes % sectorSize != 0) {
            throw new IllegalArgumentException("disk size " + diskBytes + " is not a multiple of the sector size "
                    + sectorSize);
        }
        long sectors = diskBytes / sectorSize;
        long lastUsable = sectors - 1 - entriesSectors() - 1;
        return new GptTable(sectorSize, diskGuid, sectors, firstUsableLba, lastUsable, primaryEntriesLba,
                entryCount, entrySize, partitions, mbrBootCode);
    }

    /** Protective MBR, primary header, primary entries, backup entries, backup header; in offset order. */
    public List<TableWrite> encode() {
        return GptCodec.encode(this);
    }

    @Override
    public String toString() {
        return "GptTable[disk " + diskGuid + ", " + diskSectors + " sectors of " + sectorSize + ", usable "
                + firstUsableLba + ".." + lastUsableLba + ", " + partitions + "]";
    }
}
