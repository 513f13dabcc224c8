package dev.cvmfde.imagebuilder.initramfs;

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

    private final List<OverlayEntry> entries;

    public InitramfsOverlay(List<OverlayEntry> entries) {
        this.entries = withParentDirectories(Objects.requireNonNull(entries, "entries"));
    }

    /** The entries written, parent directories first, in archive order. */
    public List<OverlayEntry> entries() {
        return entries;
    }

    /** Writes {@code base}, the padding and the overlay archive to {@code out}; {@code base} is only read. */
    public void appendTo(Path base, OutputStream out) throws IOException {
        long baseSize;
        try (InputStream in = Files.newInputStream(base)) {
            baseSize = in.transferTo(out);
        }
        int padding = (int) ((ARCHIVE_ALIGNMENT - baseSize % ARCHIVE_ALIGNMENT) % ARCHIVE_ALIGNMENT);
        out.write(new byte[padding]);
        writeArchive(out);
    }

    /** The overlay archive alone (newc cpio with its trailer). */
    public byte[] archive() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeArchive(out);
        return out.toByteArray();
    }

    private void writeArchive(OutputStream out) throws IOException {
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
