package dev.cvmfde.imagebuilder.partition;

import java.util.UUID;

/**
 * One used GPT entry. {@code index} is 1-based (as in {@code /dev/vda1}); LBAs are inclusive.
 *
 * @param attributes the 64-bit attribute field (bit 0 required, bit 2 legacy BIOS bootable, ...)
 */
public record GptPartition(int index, UUID typeGuid, UUID uniqueGuid, long firstLba, long lastLba,
                           long attributes, String name) {

    /** Longest name a GPT entry holds, in UTF-16 code units. */
    public static final int MAX_NAME_CHARS = 36;

    public GptPartition {
        if (index < 1) {
            throw new IllegalArgumentException("partition index must be >= 1, got " + index);
        }
        if (typeGuid == null || uniqueGuid == null || name == null) {
            throw new IllegalArgumentException("type GUID, unique GUID and name are required");
        }
        if (firstLba < 1 || lastLba < firstLba) {
            throw new IllegalArgumentException("partition " + index + ": LBAs " + firstLba + ".." + lastLba
                    + " must satisfy 1 <= first <= last");
        }
        if (name.length() > MAX_NAME_CHARS) {
            throw new IllegalArgumentException("partition name has " + name.length() + " UTF-16 units; at most "
                    + MAX_NAME_CHARS + " fit");
        }
    }

    /** Number of sectors. */
    public long sectors() {
        return lastLba - firstLba + 1;
    }

    /** This partition with a new last LBA (e.g. grown by a LUKS header). */
    public GptPartition withLastLba(long newLastLba) {
        return new GptPartition(index, typeGuid, uniqueGuid, firstLba, newLastLba, attributes, name);
    }
}
