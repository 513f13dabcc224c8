package dev.cvmfde.imagebuilder.disk;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An output file that appears complete or not at all. Writers write {@link #tempFile()}, a
 * hidden file in the target's directory; {@link #commit()} fsyncs it, renames it atomically over
 * the target and fsyncs the directory. {@link #close()} without a commit deletes the temp file,
 * and so does a JVM shutdown (^C, SIGTERM) that interrupts the work. Only SIGKILL or a power
 * loss can leave a {@code .*.partial} file behind; never a half-written target.
 *
 * <pre>{@code
 * try (AtomicOutput out = AtomicOutput.create(target);
 *      DiskImageWriter w = DiskWriters.qcow2(out.tempFile(), size)) {
 *     ... w.finish(); out.commit();
 * }}</pre>
 */
public final class AtomicOutput implements Closeable {

    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(AtomicOutput::deletePending, "atomic-output-cleanup"));
    }

    private final Path target;
    private final Path temp;
    private boolean committed;

    private AtomicOutput(Path target, Path temp) {
        this.target = target;
        this.temp = temp;
    }

    /**
     * Like {@link #create(Path)}, but first refuses a {@code target} that is one of the
     * {@code inputs} (same file, also through links), so an input is never replaced.
     */
    public static AtomicOutput create(Path target, Collection<Path> inputs) throws IOException {
        if (Files.exists(target)) {
            for (Path in : inputs) {
                if (Files.exists(in) && Files.isSameFile(in, target)) {
                    throw new FileAlreadyExistsException(target.toString(), in.toString(),
                            "output would replace an input; choose another output path");
                }
            }
        }
        return create(target);
    }

    /**
     * Creates the temp file beside {@code target}. Fails with a clear message when the directory
     * is missing or not writable, or when {@code target} is a directory.
     */
    public static AtomicOutput create(Path target) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new NoSuchFileException(String.valueOf(dir), null, "output directory does not exist");
        }
        if (Files.isDirectory(abs)) {
            throw new IOException("output " + abs + " is a directory; give a file name");
        }
        Path temp;
        try {
            temp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".partial");
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(dir.toString(), null, "output directory is not writable");
        } catch (FileSystemException e) {
            throw new AccessDeniedException(dir.toString(), null, "output directory is not writable ("
                    + (e.getReason() == null ? e.getMessage() : e.getReason()) + ")");
        }
        PENDING.add(temp);
        return new AtomicOutput(abs, temp);
    }

    /** The file to write; it lives in the target's directory so the final rename is atomic. */
    public Path tempFile() {
        return temp;
    }

    /** The final path. */
    public Path target() {
        return target;
    }

    /** Fsyncs the temp file, renames it to the target (replacing it) and fsyncs the directory. */
    public void commit() throws IOException {
        if (committed) {
            throw new IllegalStateException("already committed: " + target);
        }
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + temp + " atomically to " + target + ": " + e.getMessage(), e);
        }
        committed = true;
        PENDING.remove(temp);
        syncDirectory(target.getParent());
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems refuse fsync on a directory; the rename itself is already atomic
        }
    }

    /** Deletes the temp file unless {@link #commit()} succeeded. */
    @Override
    public void close() throws IOException {
        if (!committed) {
            PENDING.remove(temp);
            Files.deleteIfExists(temp);
        }
    }

    private static void deletePending() {
        for (Path p : PENDING) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // best effort at shutdown
            }
        }
    }
}
