package dev.cvmfde.imagebuilder.initramfs;

import java.util.Set;

/**
 * One file or directory to add to an initramfs by appending a cpio archive. Paths are
 * relative to the initramfs root ({@code usr/lib/dracut/hooks/...}). Directories that are
 * symlinks in a merged-usr initramfs ({@code lib}, {@code bin}, …) can never be written:
 * an entry for them would replace the symlink and break the boot.
 */
public record OverlayEntry(String path, Kind kind, int mode, byte[] content) {

    /** File or directory; the appended archive carries nothing else. */
    public enum Kind { FILE, DIRECTORY }

    /** Top-level names that are symlinks in merged-usr initramfs images (see shared/INITRAMFS.md). */
    static final Set<String> MERGED_USR_SYMLINKS = Set.of("lib", "lib32", "lib64", "libx32", "bin", "sbin", "var/run");

    /** Largest single file we add (a jlink'd runtime's libjvm.so is ~20 MiB). */
    public static final int MAX_FILE_BYTES = 256 << 20;

    public OverlayEntry {
        validatePath(path);
        if (kind == null) {
            throw new IllegalArgumentException("kind is required for " + path);
        }
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " of " + path
                    + " has bits beyond permissions; use 0755, 0644, ...");
        }
        if (kind == Kind.DIRECTORY && content != null && content.length > 0) {
            throw new IllegalArgumentException("directory " + path + " cannot have content");
        }
        content = content == null ? new byte[0] : content.clone();
    }

    public static OverlayEntry file(String path, int mode, byte[] content) {
        return new OverlayEntry(path, Kind.FILE, mode, content);
    }

    public static OverlayEntry directory(String path) {
        return new OverlayEntry(path, Kind.DIRECTORY, 0755, null);
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    int size() {
        return content.length;
    }

    byte[] contentUnsafe() {
        return content;
    }

    private static void validatePath(String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("an initramfs path is required");
        }
        if (path.startsWith("/") || path.endsWith("/") || path.contains("//")) {
            throw new IllegalArgumentException("initramfs path '" + path
                    + "' must be relative with no leading, trailing or double '/' (e.g. usr/lib/cvm-fde/agent)");
        }
        for (String part : path.split("/")) {
            if (part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("initramfs path '" + path + "' must not contain '.' or '..'");
            }
        }
        for (String link : MERGED_USR_SYMLINKS) {
            if (path.equals(link) || path.startsWith(link + "/")) {
                throw new IllegalArgumentException("initramfs path '" + path + "' goes through '" + link
                        + "', a symlink in merged-usr initramfs images; write it under usr/ instead");
            }
        }
    }

    @Override
    public String toString() {
        return "OverlayEntry[" + kind + " " + path + " mode " + Integer.toOctalString(mode) + ", " + content.length + " bytes]";
    }
}
