package dev.cvmfde.agent.initramfs;

import java.util.Objects;

/**
 * One entry of the agent's initramfs overlay: a path relative to the initramfs root (never
 * under the merged-usr symlinks {@code lib}, {@code bin}, {@code sbin}, {@code lib64}), a
 * directory flag, permission bits and the file's bytes. Owner is always 0:0. Maps one to one
 * onto image-builder's {@code OverlayEntry.file/directory}.
 */
public record OverlayFile(String path, boolean directory, int mode, byte[] content) {
    public OverlayFile {
        Objects.requireNonNull(path, "path");
        if (path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.contains("//") || path.contains("..")) {
            throw new IllegalArgumentException("overlay path '" + path + "' must be relative, without '..' or empty parts");
        }
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " of " + path + " has bits beyond permissions");
        }
        content = directory ? new byte[0] : content.clone();
    }

    static OverlayFile file(String path, int mode, byte[] content) {
        return new OverlayFile(path, false, mode, content);
    }

    static OverlayFile dir(String path) {
        return new OverlayFile(path, true, 0755, null);
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    /** The size without copying. */
    public int size() {
        return content.length;
    }

    @Override
    public String toString() {
        return "OverlayFile[" + (directory ? "dir " : "file ") + path + " " + Integer.toOctalString(mode) + ", "
                + content.length + " bytes]";
    }
}
