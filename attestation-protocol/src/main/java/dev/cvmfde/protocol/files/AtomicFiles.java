package dev.cvmfde.protocol.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Whole files or nothing: content goes to a temp file in the target directory (mode 0600 from
 * creation), is fsynced, and only then appears under its name; the directory is fsynced too.
 * {@link #writeNew} never replaces an existing file (keys); {@link #replace} does (outputs).
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Writes a new file; fails with {@link FileAlreadyExistsException} if {@code target} exists.
     * Publishing is a hard link to the final name, which cannot replace a file; on file systems
     * without hard links it falls back to an existence check and an atomic rename.
     */
    public static void writeNew(Path target, byte[] content, boolean ownerOnly) throws IOException {
        write(target, content, ownerOnly, false);
    }

    /** Writes {@code target}, atomically replacing any file already there. */
    public static void replace(Path target, byte[] content, boolean ownerOnly) throws IOException {
        write(target, content, ownerOnly, true);
    }

    private static void write(Path target, byte[] content, boolean ownerOnly, boolean replace) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        String perms = ownerOnly ? "rw-------" : "rw-r--r--";
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms)));
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(perms));
            if (replace) {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                publish(temp, target);
            }
            fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void publish(Path temp, Path target) throws IOException {
        try {
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | IOException e) {
            if (Files.exists(target)) {
                throw new FileAlreadyExistsException(target.toString());
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems cannot open or sync a directory; the file itself is synced.
        }
    }
}
