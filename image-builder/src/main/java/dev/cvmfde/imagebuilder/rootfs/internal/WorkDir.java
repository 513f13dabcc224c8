package dev.cvmfde.imagebuilder.rootfs.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A private scratch directory beside the output (so scratch files share its file system and
 * its free space is what counts), deleted on close and on JVM shutdown (^C, SIGTERM).
 */
public final class WorkDir implements Closeable {
    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> PENDING.forEach(WorkDir::deleteTree),
                "workdir-cleanup"));
    }

    private final Path dir;

    private WorkDir(Path dir) {
        this.dir = dir;
    }

    /** Creates {@code .<name>.<random>.work} (mode 0700) in {@code parent}. */
    public static WorkDir create(Path parent, String name) throws IOException {
        Path d = Files.createTempDirectory(parent, "." + name + ".",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        PENDING.add(d);
        return new WorkDir(d);
    }

    public Path path() {
        return dir;
    }

    public Path resolve(String name) {
        return dir.resolve(name);
    }

    @Override
    public void close() {
        deleteTree(dir);
        PENDING.remove(dir);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // best effort: a leftover hidden scratch directory is harmless and named .*.work
        }
    }
}
