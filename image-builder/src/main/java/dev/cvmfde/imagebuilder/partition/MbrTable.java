package dev.cvmfde.imagebuilder.partition;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** A classic MBR with its used primary entries (extended partitions are not followed). */
public record MbrTable(long diskSignature, List<MbrPartition> partitions) implements PartitionTable {
    /** Sectors an MBR entry can address (32-bit LBA and count). */
    public static final long MAX_SECTORS = 0xFFFF_FFFFL;
    private static final int ENTRIES_OFFSET = 446;
    private static final int ENTRY_BYTES = 16;

    public MbrTable {
        partitions = List.copyOf(partitions);
    }

    @Override
    public int sectorSize() {
        return 512;
    }

    public Optional<MbrPartition> partition(int index) {
        return partitions.stream().filter(p -> p.index() == index).findFirst();
    }

    /**
     * This table with {@code p} added or replacing the entry of the same index; refuses an entry
     * beyond 32-bit sectors or overlapping another (or sector 0).
     */
    public MbrTable withPartition(MbrPartition p) {
        if (p.firstLba() < 1 || p.lastLba() > MAX_SECTORS) {
            throw new IllegalArgumentException("MBR partition " + p.index() + " would span sectors " + p.firstLba() + ".."
                    + p.lastLba() + "; an MBR addresses sectors 1.." + MAX_SECTORS + " (2 TiB)");
        }
        List<MbrPartition> next = new ArrayList<>(partitions.stream().filter(q -> q.index() != p.index()).toList());
        next.add(p);
        next.sort(Comparator.comparingLong(MbrPartition::firstLba));
        for (int i = 1; i < next.size(); i++) {
            if (next.get(i).firstLba() <= next.get(i - 1).lastLba()) {
                throw new IllegalArgumentException("MBR partitions " + next.get(i - 1).index() + " and "
                        + next.get(i).index() + " overlap");
            }
        }
        next.sort(Comparator.comparingInt(MbrPartition::index));
        return new MbrTable(diskSignature, next);
    }

    /**
     * Sector 0 for this table: {@code original} (boot code, disk signature and the entries that did
     * not change kept byte for byte) with changed entries written in LBA form (CHS fields FE FF FF).
     */
    public TableWrite encode(byte[] original) {
        if (original.length != 512) {
            throw new IllegalArgumentException("sector 0 has " + original.length + " bytes; 512 expected");
        }
        ByteBuffer b = ByteBuffer.wrap(original.clone()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 1; i <= 4; i++) {
            int at = ENTRIES_OFFSET + ENTRY_BYTES * (i - 1);
            Optional<MbrPartition> p = partition(i);
            int type = b.get(at + 4) & 0xff;
            long first = Integer.toUnsignedLong(b.getInt(at + 8));
            long count = Integer.toUnsignedLong(b.getInt(at + 12));
            boolean boot = (b.get(at) & 0x80) != 0;
            if (p.isEmpty()) {
                if (type != 0 && count != 0) {
                    for (int k = 0; k < ENTRY_BYTES; k++) {
                        b.put(at + k, (byte) 0);
                    }
                }
                continue;
            }
            MbrPartition q = p.get();
            if (q.type() == type && q.firstLba() == first && q.sectors() == count && q.bootable() == boot) {
                continue;
            }
            b.put(at, (byte) (q.bootable() ? 0x80 : 0));
            b.put(at + 1, (byte) 0xFE).put(at + 2, (byte) 0xFF).put(at + 3, (byte) 0xFF);
            b.put(at + 4, (byte) q.type());
            b.put(at + 5, (byte) 0xFE).put(at + 6, (byte) 0xFF).put(at + 7, (byte) 0xFF);
            b.putInt(at + 8, (int) q.firstLba());
            b.putInt(at + 12, (int) q.sectors());
        }
        b.put(510, (byte) 0x55).put(511, (byte) 0xAA);
        return new TableWrite(0, b.array());
    }
}
