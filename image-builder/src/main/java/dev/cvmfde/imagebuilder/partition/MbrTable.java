package dev.cvmfde.imagebuilder.partition;

import java.util.List;
import java.util.Optional;

/** A classic MBR with its used primary entries (extended partitions are not followed). */
public record MbrTable(long diskSignature, List<MbrPartition> partitions) implements PartitionTable {

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
}
