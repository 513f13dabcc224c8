package dev.cvmfde.imagebuilder.partition;

/** One used primary MBR entry; {@code index} 1..4, {@code type} the partition type byte. */
public record MbrPartition(int index, boolean bootable, int type, long firstLba, long sectors) {

    public MbrPartition {
        if (index < 1 || index > 4 || type < 1 || type > 0xff || firstLba < 0 || sectors < 1) {
            throw new IllegalArgumentException("invalid MBR entry " + index + ": type " + type + " first "
                    + firstLba + " sectors " + sectors);
        }
    }

    /** Last sector, inclusive. */
    public long lastLba() {
        return firstLba + sectors - 1;
    }
}
