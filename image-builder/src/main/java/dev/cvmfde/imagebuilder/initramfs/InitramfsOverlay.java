package dev.cvmfde.imagebuilder.initramfs;

import dev.cvmfde.imagebuilder.initramfs.internal.CpioListing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * Adds files to an existing initramfs without rebuilding it: the original bytes, zero
 * padding to a 4-byte boundary (without it the kernel silently ignores what follows), then
 * an uncompressed newc cpio archive. The archive is deterministic (owner 0:0, mtime 0, fixed
 * inode numbers, entries in the order given) so the image builder can predict the
 * initramfs digest it measures. Missing parent directories get entries of their own.
 */
public final class InitramfsOverlay {
    /** The kernel looks for the next archive on this boundary. */
    static final int ARCHIVE_ALIGNMENT = 4;
    /** dracut's hook directories, which the overlay adds to and never creates. */
    static final String DRACUT_HOOKS = "usr/lib/dracut/hooks";

    private final List<OverlayEntry> entries;

    public InitramfsOverlay(List<OverlayEntry> entries) {
        this.entries = withParentDirectories(Objects.requireNonNull(entries, "entries"));
    }

    /** The entries written, parent directories first, in archive order. */
    public List<OverlayEntry> entries() {
        return entries;
    }

    /**
     * Writes {@code base}, the padding and the overlay archive to {@code out}; {@code base} is only
     * read. The archive carries entries only for the directories {@code base} lacks (see
     * {@link #entriesFor}).
     *
     * @throws InitramfsFormatException if {@code base} cannot be read as an initramfs or its names
     *     clash with the overlay's; nothing is written to {@code out} then
     */
    public void appendTo(Path base, OutputStream out) throws IOException {
        List<OverlayEntry> written = entriesFor(CpioListing.read(base), base.getFileName().toString());
        long baseSize;
        try (InputStream in = Files.newInputStream(base)) {
            baseSize = in.transferTo(out);
        }
        int padding = (int) ((ARCHIVE_ALIGNMENT - baseSize % ARCHIVE_ALIGNMENT) % ARCHIVE_ALIGNMENT);
        out.write(new byte[padding]);
        writeArchive(written, out);
    }

    /**
     * The entries appended to a base with these names. The kernel replaces an existing name whose
     * type differs from an appended entry's without following symlinks, so a directory entry for a
     * name that is a symlink in the base (dracut 106's {@code usr/lib/dracut/hooks} →
     * {@code var/lib/dracut/hooks}) would replace it with an empty directory and lose every hook
     * dracut has. So: directories that exist in the base (directly or through symlinks) get no
     * entry, files are written through the base's symlinks (as the kernel's path walk follows
     * them), and a file where the overlay needs a directory, a name the overlay would replace
     * that is a symlink or directory, or a dracut hook directory the base lacks (not a dracut
     * initramfs: the agent's hooks would never run) is refused.
     */
    List<OverlayEntry> entriesFor(CpioListing base, String baseName) throws InitramfsFormatException {
        List<OverlayEntry> out = new ArrayList<>();
        for (OverlayEntry e : entries) {
            Optional<CpioListing.Type> self = base.typeOf(e.path());
            Optional<CpioListing.Type> resolved = base.resolvedType(e.path());
            if (e.kind() == OverlayEntry.Kind.DIRECTORY) {
                if (resolved.isPresent() && resolved.get() == CpioListing.Type.DIRECTORY) {
                    continue;
                }
                if (self.isPresent()) {
                    throw new InitramfsFormatException(baseName, "'" + e.path() + "' is a "
                            + describe(self.get(), resolved) + " there; the agent needs a directory");
                }
                if (e.path().startsWith(DRACUT_HOOKS + "/") || e.path().equals(DRACUT_HOOKS)) {
                    throw new InitramfsFormatException(baseName, "it has no dracut hook directory '"
                            + e.path() + "'; the FDE agent runs from dracut hooks, so the image's initramfs must"
                            + " be made by dracut (with its network module: rd.neednet=1 ip=dhcp)");
                }
                out.add(e);
            } else {
                if (self.isPresent() && self.get() != CpioListing.Type.OTHER) {
                    throw new InitramfsFormatException(baseName, "'" + e.path() + "' is a "
                            + describe(self.get(), resolved) + " there; the agent's file would replace it");
                }
                out.add(e);
            }
        }
        return List.copyOf(out);
    }

    private static String describe(CpioListing.Type self, Optional<CpioListing.Type> resolved) {
        return switch (self) {
            case DIRECTORY -> "directory";
            case SYMLINK -> resolved.isEmpty() ? "dangling symlink"
                    : "symlink to a " + (resolved.get() == CpioListing.Type.DIRECTORY ? "directory" : "file");
            case OTHER -> "file";
        };
    }

    /** The overlay archive alone (newc cpio with its trailer). */
    public byte[] archive() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeArchive(entries, out);
        return out.toByteArray();
    }

    private static void writeArchive(List<OverlayEntry> entries, OutputStream out) throws IOException {
        // The cpio stream must not close the caller's stream.
        OutputStream shield = new OutputStream() {
            @Override public void write(int b) throws IOException { out.write(b); }
            @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
            @Override public void flush() throws IOException { out.flush(); }
            @Override public void close() throws IOException { out.flush(); }
        };
        try (CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(shield, CpioConstants.FORMAT_NEW)) {
            long inode = 1;
            for (OverlayEntry entry : entries) {
                CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, entry.path());
                boolean dir = entry.kind() == OverlayEntry.Kind.DIRECTORY;
                e.setMode((dir ? CpioConstants.C_ISDIR : CpioConstants.C_ISREG) | entry.mode());
                e.setUID(0);
                e.setGID(0);
                e.setTime(0);
                e.setInode(inode++);
                e.setNumberOfLinks(dir ? 2 : 1);
                e.setSize(entry.size());
                cpio.putArchiveEntry(e);
                if (!dir) {
                    cpio.write(entry.contentUnsafe());
                }
                cpio.closeArchiveEntry();
            }
            cpio.finish();
        }
    }

    private static List<OverlayEntry> withParentDirectories(List<OverlayEntry> given) {
        Map<String, OverlayEntry> ordered = new LinkedHashMap<>();
        for (OverlayEntry entry : given) {
            String[] parts = entry.path().split("/");
            StringBuilder parent = new StringBuilder();
            for (int i = 0; i < parts.length - 1; i++) {
                if (i > 0) {
                    parent.append('/');
                }
                parent.append(parts[i]);
                ordered.putIfAbsent(parent.toString(), OverlayEntry.directory(parent.toString()));
            }
            if (ordered.containsKey(entry.path()) && entry.kind() == OverlayEntry.Kind.FILE) {
                throw new IllegalArgumentException("initramfs path '" + entry.path() + "' is given twice");
            }
            ordered.put(entry.path(), entry);
        }
        return List.copyOf(new ArrayList<>(ordered.values()));
    }
}
