package dev.cvmfde.client.store.internal;

import dev.cvmfde.client.store.StoreException;
import dev.cvmfde.client.store.StoreUnavailableException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on a file for writers, across processes ({@link FileChannel#lock}) and
 * across threads and store instances of this JVM (a file lock is per process: a second
 * {@code lock()} from the same JVM would throw, so a JVM-wide lock per path comes first).
 */
final class DirectoryLock {
    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path file;
    private final ReentrantLock local;

    DirectoryLock(Path file) {
        this.file = file.toAbsolutePath().normalize();
        this.local = IN_PROCESS.computeIfAbsent(this.file, p -> new ReentrantLock());
    }

    @FunctionalInterface
    interface Locked<T> {
        T run() throws StoreException, IOException;
    }

    <T> T with(Locked<T> body) throws StoreException {
        local.lock();
        try (FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
             FileLock ignored = ch.lock()) {
            return body.run();
        } catch (IOException e) {
            throw new StoreUnavailableException("store I/O under lock " + file + " failed: " + e.getMessage(), e);
        } finally {
            local.unlock();
        }
    }
}
