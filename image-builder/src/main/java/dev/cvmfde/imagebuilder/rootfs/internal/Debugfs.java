package dev.cvmfde.imagebuilder.rootfs.internal;

import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * e2fsprogs' debugfs on an ext2/3/4 image file, rootless: read the tree or one file, replace
 * files, make directories. debugfs exits 0 whatever happens, so every line it prints on stderr
 * other than its version banner is taken as a failure. The image is checked with
 * {@code e2fsck -fn} before the first edit ({@link #check}), so a damaged file system is refused
 * rather than made worse.
 */
public final class Debugfs implements BootFs {
    private final Path image;

    public Debugfs(Path image) {
        this.image = image;
    }

    /**
     * {@code e2fsck -fn}: refuses a file system with errors; {@code what} names it in the message
     * (e.g. "the ext4 boot partition").
     */
    public void check(String what) throws EncryptException {
        ExternalTool.Result r = ExternalTool.exec(List.of("e2fsck", "-fn", image.toString()), Map.of(), "e2fsprogs");
        if (!r.ok()) {
            String out = (r.output() + r.errors()).strip();
            throw new EncryptException(EncryptException.Step.BOOT, what + " has file-system errors (e2fsck -fn exit "
                    + r.exit() + "): " + out.substring(0, Math.min(out.length(), 600))
                    + "; repair a copy with e2fsck -fy first");
        }
    }

    @Override
    public void extractAll(Path dir) throws EncryptException {
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new EncryptException(EncryptException.Step.TOOL, "cannot create " + dir + ": " + e.getMessage(), e);
        }
        run(false, "rdump / " + quote(dir.toString()));
        deleteLostFound(dir);
    }

    /** Copies directory {@code path} (e.g. {@code /boot}) into {@code dir}/{@code name-of-path}. */
    public void extractDirectory(String path, Path dir) throws EncryptException {
        run(false, "rdump " + quote(path) + " " + quote(dir.toString()));
    }

    /** The contents of {@code path}, or empty when it does not exist. */
    public java.util.Optional<String> read(String path) throws EncryptException {
        ExternalTool.Result r = exec(false, "cat " + quote(path));
        List<String> errors = errors(r);
        if (!errors.isEmpty()) {
            if (errors.stream().anyMatch(l -> l.contains("File not found"))) {
                return java.util.Optional.empty();
            }
            throw failure("cat " + path, errors);
        }
        return java.util.Optional.of(r.output());
    }

    /** True when {@code path} exists. */
    public boolean exists(String path) throws EncryptException {
        return errors(exec(false, "stat " + quote(path))).isEmpty();
    }

    @Override
    public void put(Path file, String target) throws EncryptException {
        String t = target.startsWith("/") ? target : "/" + target;
        if (exists(t)) {
            run(true, "rm " + quote(t));
        }
        run(true, "write " + quote(file.toString()) + " " + quote(t));
        long epoch = Mtools.sourceDateEpoch();
        String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.ofEpochSecond(epoch));
        run(true, "sif " + quote(t) + " mtime " + stamp);
    }

    @Override
    public List<String> list(String dir) throws EncryptException {
        String d = "/" + dir;
        ExternalTool.Result r = exec(false, "ls -p " + quote(d));
        if (!errors(r).isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String l : r.output().split("\n")) {
            // /inode/mode/uid/gid/name/size/
            String[] f = l.strip().split("/", -1);
            if (f.length >= 7 && !f[5].equals(".") && !f[5].equals("..") && !f[5].isEmpty()) {
                names.add(f[5]);
            }
        }
        return names;
    }

    @Override
    public void mkdirIfAbsent(String dir) throws EncryptException {
        String d = dir.startsWith("/") ? dir : "/" + dir;
        if (!exists(d)) {
            run(true, "mkdir " + quote(d));
        }
    }

    private void run(boolean write, String request) throws EncryptException {
        List<String> errors = errors(exec(write, request));
        if (!errors.isEmpty()) {
            throw failure(request, errors);
        }
    }

    private EncryptException failure(String request, List<String> errors) {
        return new EncryptException(EncryptException.Step.TOOL, "debugfs \"" + request + "\" on " + image.getFileName()
                + " failed: " + String.join("; ", errors));
    }

    private ExternalTool.Result exec(boolean write, String request) throws EncryptException {
        List<String> cmd = new ArrayList<>(List.of("debugfs"));
        if (write) {
            cmd.add("-w");
        }
        cmd.addAll(List.of("-R", request, image.toString()));
        return ExternalTool.exec(cmd, Map.of(), "e2fsprogs");
    }

    /** stderr lines other than the version banner ({@code debugfs 1.47.0 (5-Feb-2023)}). */
    private static List<String> errors(ExternalTool.Result r) {
        List<String> out = new ArrayList<>();
        for (String l : r.errors().split("\n")) {
            if (!l.isBlank() && !l.startsWith("debugfs ")) {
                out.add(l.strip());
            }
        }
        if (!r.ok()) {
            out.add("exit " + r.exit());
        }
        return out;
    }

    /** debugfs splits its request on blanks; double quotes keep a path with blanks together. */
    private static String quote(String s) {
        return s.chars().anyMatch(c -> c == ' ' || c == '\t') ? '"' + s + '"' : s;
    }

    private static void deleteLostFound(Path dir) throws EncryptException {
        Path lf = dir.resolve("lost+found");
        try {
            if (java.nio.file.Files.isDirectory(lf, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                BootEditor.deleteTree(lf);
            }
        } catch (java.io.IOException e) {
            throw new EncryptException(EncryptException.Step.TOOL, "cannot delete " + lf + ": " + e.getMessage(), e);
        }
    }
}
