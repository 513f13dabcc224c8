package dev.cvmfde.imagebuilder.partition.internal;

import static dev.cvmfde.imagebuilder.partition.PartitionTableException.Check.*;

import dev.cvmfde.imagebuilder.disk.VirtualDisk;
import dev.cvmfde.imagebuilder.partition.GptPartition;
import dev.cvmfde.imagebuilder.partition.GptTable;
import dev.cvmfde.imagebuilder.partition.PartitionTableException;
import dev.cvmfde.imagebuilder.partition.PartitionTableException.Check;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Reads and validates a GPT: primary header and entries, then the backup pair the primary points
 * to. Every CRC is checked and a mismatch names which one failed.
 */
public final class GptReader {

    private record Header(long myLba, long alternateLba, long firstUsable, long lastUsable, UUID diskGuid,
                          long entriesLba, int entryCount, int entrySize, int entriesCrc) {}

    private final VirtualDisk disk;
    private final int sectorSize;
    private final long diskSectors;

    private GptReader(VirtualDisk disk, int sectorSize) {
        this.disk = disk;
        this.sectorSize = sectorSize;
        this.diskSectors = disk.size() / sectorSize;
    }

    /** Reads the GPT of {@code disk}, whose sector 0 is {@code mbr} (a protective MBR). */
    public static GptTable read(VirtualDisk disk, ByteBuffer mbr) throws IOException {
        for (int ss : new int[] {512, 4096}) {
            if (disk.size() >= 3L * ss && hasSignature(disk, ss)) {
                return new GptReader(disk, ss).read(mbr);
            }
        }
        throw new PartitionTableException(GPT_SIGNATURE,
                "protective MBR found but no 'EFI PART' header at LBA 1 (512- or 4096-byte sectors)");
    }

    private static boolean hasSignature(VirtualDisk disk, int ss) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8);
        disk.read(ss, b);
        return Arrays.equals(b.array(), GptCodec.SIGNATURE);
    }

    private GptTable read(ByteBuffer mbr) throws IOException {
        Header primary = header(1, PRIMARY_HEADER_CRC);
        ByteBuffer entries = entries(primary, PRIMARY_ENTRIES_CRC);
        if (primary.alternateLba() >= diskSectors || primary.alternateLba() <= 1) {
            throw new PartitionTableException(BACKUP_HEADER, "primary header puts the backup at LBA "
                    + primary.alternateLba() + " but the disk has " + diskSectors + " sectors");
        }
        Header backup = header(primary.alternateLba(), BACKUP_HEADER_CRC);
        entries(backup, BACKUP_ENTRIES_CRC);
        if (backup.alternateLba() != 1 || backup.entriesCrc() != primary.entriesCrc()
                || !backup.diskGuid().equals(primary.diskGuid()) || backup.firstUsable() != primary.firstUsable()
                || backup.lastUsable() != primary.lastUsable() || backup.entryCount() != primary.entryCount()) {
            throw new PartitionTableException(BACKUP_HEADER, "backup header at LBA " + primary.alternateLba()
                    + " does not describe the same table as the primary header");
        }
        List<GptPartition> parts = partitions(primary, entries);
        byte[] boot = new byte[GptCodec.MBR_BOOT_CODE];
        mbr.get(0, boot);
        try {
            // the backup stays where it is found (a grown disk keeps it mid-disk until resizedTo)
            return new GptTable(sectorSize, primary.diskGuid(), primary.alternateLba() + 1, primary.firstUsable(),
                    primary.lastUsable(), primary.entriesLba(), primary.entryCount(), primary.entrySize(), parts, boot);
        } catch (IllegalArgumentException e) {
            throw new PartitionTableException(PARTITION_BOUNDS, e.getMessage());
        }
    }

    private Header header(long lba, Check crcCheck) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(sectorSize).order(ByteOrder.LITTLE_ENDIAN);
        disk.read(lba * sectorSize, h);
        String which = crcCheck == PRIMARY_HEADER_CRC ? "primary" : "backup";
        if (!Arrays.equals(h.array(), 0, 8, GptCodec.SIGNATURE, 0, 8)) {
            throw new PartitionTableException(crcCheck == PRIMARY_HEADER_CRC ? GPT_SIGNATURE : BACKUP_HEADER,
                    "no 'EFI PART' signature in the " + which + " header at LBA " + lba);
        }
        int size = h.getInt(12);
        if (size < GptCodec.HEADER_SIZE || size > sectorSize || (h.getInt(8) >>> 16) != 1) {
            throw new PartitionTableException(GPT_HEADER_FIELDS, which + " header size " + size + " / revision 0x"
                    + Integer.toHexString(h.getInt(8)) + "; expected 92.." + sectorSize + " and revision 1.x");
        }
        int stored = h.getInt(16);
        h.putInt(16, 0);
        int computed = GptCodec.crc(h.array(), 0, size);
        if (stored != computed) {
            throw new PartitionTableException(crcCheck, which + " header CRC32 is 0x" + Integer.toHexString(stored)
                    + " but the header hashes to 0x" + Integer.toHexString(computed));
        }
        Header r = new Header(h.getLong(24), h.getLong(32), h.getLong(40), h.getLong(48), GptCodec.getGuid(h, 56),
                h.getLong(72), h.getInt(80), h.getInt(84), h.getInt(88));
        checkFields(r, lba, which);
        return r;
    }

    private void checkFields(Header r, long lba, String which) throws PartitionTableException {
        long entriesBytes = Integer.toUnsignedLong(r.entryCount()) * Integer.toUnsignedLong(r.entrySize());
        boolean entriesOk = r.entrySize() >= GptCodec.MIN_ENTRY_SIZE && r.entrySize() <= GptCodec.MAX_ENTRY_SIZE
                && Integer.bitCount(r.entrySize()) == 1 && r.entryCount() > 0 && entriesBytes <= GptCodec.MAX_ENTRIES_BYTES;
        long entriesSectors = (entriesBytes + sectorSize - 1) / sectorSize;
        if (r.myLba() != lba || !entriesOk || r.entriesLba() < 2 || r.entriesLba() > diskSectors - entriesSectors
                || r.firstUsable() < 2 || r.lastUsable() < r.firstUsable() || r.lastUsable() >= diskSectors) {
            throw new PartitionTableException(GPT_HEADER_FIELDS, which + " header at LBA " + lba + " has my LBA "
                    + r.myLba() + ", usable " + r.firstUsable() + ".." + r.lastUsable() + ", entries "
                    + Integer.toUnsignedString(r.entryCount()) + " x " + Integer.toUnsignedString(r.entrySize())
                    + " at LBA " + r.entriesLba() + "; these do not fit a " + diskSectors + "-sector disk or exceed "
                    + GptCodec.MAX_ENTRIES_BYTES + " bytes of entries");
        }
    }

    private ByteBuffer entries(Header h, Check crcCheck) throws IOException {
        int bytes = h.entryCount() * h.entrySize();
        ByteBuffer e = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        disk.read(h.entriesLba() * sectorSize, e);
        int computed = GptCodec.crc(e.array(), 0, bytes);
        if (computed != h.entriesCrc()) {
            throw new PartitionTableException(crcCheck, (crcCheck == PRIMARY_ENTRIES_CRC ? "primary" : "backup")
                    + " entry array CRC32 is 0x" + Integer.toHexString(h.entriesCrc())
                    + " in the header but the entries hash to 0x" + Integer.toHexString(computed));
        }
        return e;
    }

    private static List<GptPartition> partitions(Header h, ByteBuffer e) throws PartitionTableException {
        List<GptPartition> out = new ArrayList<>();
        for (int i = 0; i < h.entryCount(); i++) {
            int at = i * h.entrySize();
            UUID type = GptCodec.getGuid(e, at);
            if (type.getMostSignificantBits() == 0 && type.getLeastSignificantBits() == 0) {
                continue;
            }
            try {
                out.add(new GptPartition(i + 1, type, GptCodec.getGuid(e, at + 16), e.getLong(at + 32),
                        e.getLong(at + 40), e.getLong(at + 48), GptCodec.getName(e, at + 56)));
            } catch (IllegalArgumentException ex) {
                throw new PartitionTableException(PARTITION_BOUNDS, ex.getMessage());
            }
        }
        return out;
    }
}
