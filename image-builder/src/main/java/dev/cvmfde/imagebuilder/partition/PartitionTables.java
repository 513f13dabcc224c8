package dev.cvmfde.imagebuilder.partition;

import dev.cvmfde.imagebuilder.disk.VirtualDisk;
import dev.cvmfde.imagebuilder.partition.internal.GptReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the partition table of a {@link VirtualDisk} (any format): a GPT when sector 0 holds a
 * protective MBR (type 0xEE), otherwise the four primary MBR entries.
 */
public final class PartitionTables {

    private static final int MBR_TYPE_GPT_PROTECTIVE = 0xEE;

    private PartitionTables() {}

    /** The table of {@code disk}; a damaged GPT is an error, never silently read as MBR. */
    public static PartitionTable read(VirtualDisk disk) throws IOException {
        ByteBuffer mbr = readMbrSector(disk);
        for (int i = 0; i < 4; i++) {
            if ((mbr.get(446 + 16 * i + 4) & 0xff) == MBR_TYPE_GPT_PROTECTIVE) {
                return GptReader.read(disk, mbr);
            }
        }
        return mbr(disk, mbr);
    }

    /** The GPT of {@code disk}; an MBR-only disk is an error naming {@link PartitionTableException.Check#GPT_SIGNATURE}. */
    public static GptTable readGpt(VirtualDisk disk) throws IOException {
        return switch (read(disk)) {
            case GptTable g -> g;
            case MbrTable m -> throw new PartitionTableException(PartitionTableException.Check.GPT_SIGNATURE,
                    "the disk has an MBR partition table (" + m.partitions().size() + " partitions), not a GPT");
        };
    }

    private static ByteBuffer readMbrSector(VirtualDisk disk) throws IOException {
        if (disk.size() < 512) {
            throw new PartitionTableException(PartitionTableException.Check.NO_PARTITION_TABLE,
                    "the disk has " + disk.size() + " bytes, less than one sector");
        }
        ByteBuffer mbr = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        disk.read(0, mbr);
        if ((mbr.get(510) & 0xff) != 0x55 || (mbr.get(511) & 0xff) != 0xAA) {
            throw new PartitionTableException(PartitionTableException.Check.NO_PARTITION_TABLE,
                    "sector 0 does not end in the MBR signature 55 AA");
        }
        return mbr;
    }

    private static MbrTable mbr(VirtualDisk disk, ByteBuffer mbr) throws PartitionTableException {
        long sectors = disk.size() / 512;
        List<MbrPartition> parts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int at = 446 + 16 * i;
            int type = mbr.get(at + 4) & 0xff;
            long first = Integer.toUnsignedLong(mbr.getInt(at + 8));
            long count = Integer.toUnsignedLong(mbr.getInt(at + 12));
            if (type == 0 || count == 0) {
                continue;
            }
            if (first == 0 || first + count > sectors) {
                throw new PartitionTableException(PartitionTableException.Check.MBR_BOUNDS, "MBR partition " + (i + 1)
                        + " spans sectors " + first + ".." + (first + count - 1) + " of a " + sectors + "-sector disk");
            }
            parts.add(new MbrPartition(i + 1, (mbr.get(at) & 0x80) != 0, type, first, count));
        }
        return new MbrTable(Integer.toUnsignedLong(mbr.getInt(440)), parts);
    }
}
