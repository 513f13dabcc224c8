package dev.cvmfde.imagebuilder.rootfs.internal;

import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import java.nio.file.Path;

/**
 * A boot-time file system held in an image file, edited rootless by an external tool: vfat with
 * mtools ({@link Mtools}), ext2/3/4 with e2fsprogs' debugfs ({@link Debugfs}).
 */
public sealed interface BootFs permits Mtools, Debugfs {
    /** Copies the whole file system into {@code dir} (which must not exist yet). */
    void extractAll(Path dir) throws EncryptException;

    /** Copies {@code file} to {@code target} (e.g. {@code grub/grub.cfg}), replacing it. */
    void put(Path file, String target) throws EncryptException;

    /** The names in directory {@code dir} ({@code ""} for the top), without {@code .} and {@code ..}; empty if absent. */
    java.util.List<String> list(String dir) throws EncryptException;

    /** Makes {@code dir} (one level) unless it exists. */
    void mkdirIfAbsent(String dir) throws EncryptException;

    /** The file system in {@code image} of the given kind. */
    static BootFs of(FsKind kind, Path image) throws EncryptException {
        return switch (kind) {
            case VFAT -> new Mtools(image);
            case EXT -> new Debugfs(image);
            default -> throw new EncryptException(EncryptException.Step.BOOT, "a " + kind.label()
                    + " boot file system cannot be edited; vfat and ext2/3/4 are supported");
        };
    }
}
