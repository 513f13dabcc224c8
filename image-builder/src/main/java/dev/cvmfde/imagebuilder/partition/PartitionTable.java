package dev.cvmfde.imagebuilder.partition;

/** A disk's partition table: GPT or MBR. */
public sealed interface PartitionTable permits GptTable, MbrTable {

    /** Logical sector size the table's LBAs count in. */
    int sectorSize();
}
