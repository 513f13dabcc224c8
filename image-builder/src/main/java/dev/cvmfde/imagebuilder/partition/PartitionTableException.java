package dev.cvmfde.imagebuilder.partition;

import java.io.IOException;

/**
 * A partition table that cannot be used. {@link #check()} names the failed check, e.g.
 * {@link Check#PRIMARY_HEADER_CRC}; the message says what was expected and what came.
 */
public final class PartitionTableException extends IOException {

    /** The named checks of partition-table parsing. */
    public enum Check {
        /** No MBR signature 0x55AA at the end of sector 0. */
        NO_PARTITION_TABLE,
        /** Protective MBR present but no "EFI PART" header at LBA 1. */
        GPT_SIGNATURE,
        /** Header fields out of their allowed ranges (size, revision, LBAs, entry geometry). */
        GPT_HEADER_FIELDS,
        PRIMARY_HEADER_CRC,
        PRIMARY_ENTRIES_CRC,
        BACKUP_HEADER_CRC,
        BACKUP_ENTRIES_CRC,
        /** Backup header missing, or primary and backup disagree. */
        BACKUP_HEADER,
        /** A partition lies outside the usable LBAs, ends before it starts, or overlaps another. */
        PARTITION_BOUNDS,
        /** MBR partition entry outside the disk. */
        MBR_BOUNDS
    }

    private final Check check;

    public PartitionTableException(Check check, String message) {
        super(check.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ": " + message);
        this.check = check;
    }

    public Check check() {
        return check;
    }
}
