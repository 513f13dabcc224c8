package dev.cvmfde.imagebuilder.luks.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Atomic output file: written as a temp file in the target's directory, fsynced, then renamed
 * over the target; on failure, close or JVM shutdown (^C) the temp file is deleted, so no
 * half-written output is ever left. (LUKS-local; meant to be merged with the disk-format
 * writer's equivalent.)
 */
public final class AtomicFileOutput implements AutoCloseable {

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final Thread cleanup;
    private boolean committed;

    private AtomicFileOutput(Path target, Path temp, FileChannel channel) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.cleanup = new Thread(this::deleteTemp, "atomic-output-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Creates the temp file beside {@code target}; throws if the directory is not writable. */
    public static AtomicFileOutput create(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path temp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".partial");
        try {
            FileChannel ch = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return new AtomicFileOutput(abs, temp, ch);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    public FileChannel channel() {
        return channel;
    }

    public Path temp() {
        return temp;
    }

    /** fsync, close, rename over the target, fsync the directory. */
    public void commit() throws IOException {
        channel.force(true);
        channel.close();
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + temp + " to " + target + " atomically", e);
        }
        committed = true;
        try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // some filesystems refuse fsync on a directory; the rename itself already happened
        }
    }

    /** Deletes the temp file unless {@link #commit()} succeeded. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a channel we only failed to write; the temp file is deleted below
        }
        deleteTemp();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // JVM already shutting down: the hook runs and deletes the temp file
        }
    }

    private void deleteTemp() {
        if (!committed) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // nothing else to do during cleanup
            }
        }
    }
}
