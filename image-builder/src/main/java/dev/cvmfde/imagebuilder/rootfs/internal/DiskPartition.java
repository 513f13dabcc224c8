package dev.cvmfde.imagebuilder.rootfs.internal;

import dev.cvmfde.imagebuilder.partition.GptPartition;
import dev.cvmfde.imagebuilder.partition.GptTable;
import dev.cvmfde.imagebuilder.partition.MbrTable;
import dev.cvmfde.imagebuilder.partition.PartitionTable;
import java.util.List;
import java.util.Locale;

/**
 * One partition of a GPT or MBR disk as the layout finder sees it: its number, inclusive LBAs,
 * its type (a lowercase GPT type GUID, or {@code 0xNN} for an MBR type byte) and what it holds.
 */
public record DiskPartition(int index, long firstLba, long lastLba, String type, FsKind fs) {
    // the Discoverable Partitions Specification's type GUIDs (and the MBR bytes that mean the same)
    static final String ESP = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b";
    static final String XBOOTLDR = "bc13c2ff-59e6-4262-a352-b275fd6f7172";
    static final String ROOT_X86_64 = "4f68bce3-e8cd-4db1-96e7-fbcaf984b709";
    static final String ROOT_ARM64 = "b921b045-1df0-41c3-af44-4c6f280d3fae";
    static final String LINUX_DATA = "0fc63daf-8483-4772-8e79-3d69d8477de4";
    static final String LINUX_LVM = "e6d6d379-f507-44c2-a23c-238f2a3df928";
    static final List<String> MBR_FAT = List.of("0x01", "0x04", "0x06", "0x0b", "0x0c", "0x0e");

    public long sectors() {
        return lastLba - firstLba + 1;
    }

    boolean isEsp() {
        return type.equals(ESP) || type.equals("0xef");
    }

    boolean isXbootldr() {
        return type.equals(XBOOTLDR) || type.equals("0xea");
    }

    boolean isRootType() {
        return type.equals(ROOT_X86_64) || type.equals(ROOT_ARM64);
    }

    boolean isLinuxData() {
        return type.equals(LINUX_DATA) || type.equals("0x83");
    }

    boolean isLvmType() {
        return type.equals(LINUX_LVM) || type.equals("0x8e");
    }

    String describe() {
        return "partition " + index + " (" + typeName() + ", holding " + fs.label() + ")";
    }

    String typeName() {
        return switch (type) {
            case ESP, "0xef" -> "EFI system";
            case XBOOTLDR, "0xea" -> "XBOOTLDR /boot";
            case ROOT_X86_64 -> "root x86-64";
            case ROOT_ARM64 -> "root arm64";
            case LINUX_DATA, "0x83" -> "Linux data";
            case LINUX_LVM, "0x8e" -> "Linux LVM";
            default -> "type " + type;
        };
    }

    /** The partitions of {@code table}, without content ({@link FsKind#UNKNOWN}). */
    static List<DiskPartition> of(PartitionTable table) {
        return switch (table) {
            case GptTable g -> g.partitions().stream().map(DiskPartition::of).toList();
            case MbrTable m -> m.partitions().stream().map(p -> new DiskPartition(p.index(), p.firstLba(), p.lastLba(),
                    String.format(Locale.ROOT, "0x%02x", p.type()), FsKind.UNKNOWN)).toList();
        };
    }

    private static DiskPartition of(GptPartition p) {
        return new DiskPartition(p.index(), p.firstLba(), p.lastLba(), p.typeGuid().toString().toLowerCase(Locale.ROOT),
                FsKind.UNKNOWN);
    }

    DiskPartition withFs(FsKind kind) {
        return new DiskPartition(index, firstLba, lastLba, type, kind);
    }
}
