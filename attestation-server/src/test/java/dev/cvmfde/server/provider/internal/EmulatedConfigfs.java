package dev.cvmfde.server.provider.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A configfs-tsm emulator over a real temporary directory: the fake at the kernel edge. Like the
 * kernel (drivers/virt/coco/guest/report.c) it creates the attribute files when a report directory
 * is made, bumps {@code generation} on each inblob write, refuses inblobs over 64 bytes (EFBIG),
 * refuses to produce a report without an inblob (EINVAL), and lets rmdir remove a directory that
 * still has attributes. Scripted faults: an errno for an operation, another writer bumping the
 * generation, a write the kernel drops silently, the directory vanishing, a custom report.
 * Reads and writes go through the real FFM system calls, so the provider's I/O path is exercised.
 */
final class EmulatedConfigfs implements ConfigfsIo {
    static final int INBLOB_MAX = 64;

    private final ConfigfsIo kernel = ConfigfsIo.kernel();
    private final Map<Path, Long> generations = new HashMap<>();

    String providerName = "arm_cca_guest";
    boolean withAuxblob;
    byte[] auxblob = "EMULATED-SEV-CERT-TABLE".getBytes(StandardCharsets.US_ASCII);
    UnaryOperator<byte[]> report = EmulatedConfigfs::defaultReport;
    /** Operation ("mkdir", "write:inblob", "read:outblob", "read:provider", …) to errno it fails with. */
    final Map<String, Integer> failures = new HashMap<>();
    /** How many of the next outblob reads are followed by another process writing inblob. */
    int concurrentWriters;
    /** How many of the next inblob writes the kernel drops without telling (EBUSY on release). */
    int droppedWrites;
    /** What inblob holds when a directory is made (the kernel starts empty; a stale one tests dropped writes). */
    byte[] initialInblob = new byte[0];
    /** How many of the next outblob reads find the directory removed by someone else. */
    int vanishings;

    final List<Path> made = new ArrayList<>();
    final List<Path> removed = new ArrayList<>();

    static byte[] defaultReport(byte[] inblob) {
        byte[] prefix = "EMULATED-CCA-TOKEN:".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[prefix.length + inblob.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(inblob, 0, out, prefix.length, inblob.length);
        return out;
    }

    @Override
    public void mkdir(Path dir) throws ErrnoException {
        fail("mkdir", dir);
        kernel.mkdir(dir);
        made.add(dir);
        generations.put(dir, 0L);
        try {
            Files.writeString(dir.resolve("generation"), "0\n");
            Files.writeString(dir.resolve("provider"), providerName + "\n");
            Files.write(dir.resolve("inblob"), initialInblob);
            Files.write(dir.resolve("outblob"), new byte[0]);
            if (withAuxblob) {
                Files.write(dir.resolve("auxblob"), new byte[0]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void rmdir(Path dir) throws ErrnoException {
        fail("rmdir", dir);
        try (Stream<Path> files = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        kernel.rmdir(dir);
        removed.add(dir);
    }

    @Override
    public byte[] read(Path attribute, int limit, String limitName) throws ErrnoException {
        String name = attribute.getFileName().toString();
        Path dir = attribute.getParent();
        fail("read:" + name, attribute);
        if (name.equals("outblob") || name.equals("auxblob")) {
            if (name.equals("outblob") && vanishings > 0) {
                vanishings--;
                deleteTree(dir);
            } else if (Files.isDirectory(dir)) {
                produce(dir, attribute);
            }
        }
        byte[] bytes = kernel.read(attribute, limit, limitName);
        if (name.equals("outblob") && concurrentWriters > 0) {
            concurrentWriters--;
            bump(dir);
        }
        return bytes;
    }

    private void produce(Path dir, Path attribute) throws ErrnoException {
        try {
            byte[] in = Files.readAllBytes(dir.resolve("inblob"));
            if (in.length == 0) {
                throw new ErrnoException(Errno.EINVAL, "read", attribute.toString());
            }
            Files.write(dir.resolve("outblob"), report.apply(in));
            if (withAuxblob) {
                Files.write(dir.resolve("auxblob"), auxblob);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void write(Path attribute, byte[] data) throws ErrnoException {
        String name = attribute.getFileName().toString();
        fail("write:" + name, attribute);
        if (name.equals("inblob") && data.length > INBLOB_MAX) {
            throw new ErrnoException(Errno.EFBIG, "write", attribute.toString());
        }
        if (droppedWrites > 0) {
            droppedWrites--;
            return;
        }
        kernel.write(attribute, data);
        bump(attribute.getParent());
    }

    private void bump(Path dir) {
        long next = generations.merge(dir, 1L, Long::sum);
        try {
            if (Files.isDirectory(dir)) {
                Files.writeString(dir.resolve("generation"), next + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void fail(String operation, Path target) throws ErrnoException {
        Integer errno = failures.get(operation);
        if (errno != null) {
            throw new ErrnoException(errno, operation, target.toString());
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
