package dev.cvmfde.imagebuilder.rootfs.internal;

import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * mtools on a vfat image file, rootless: copy the tree out, replace or add files, make
 * directories. Each call names the tool and its output when it fails (e.g. "disk full").
 */
public final class Mtools {
    /** Longest any single mtools call may run. */
    static final long TIMEOUT_SECONDS = 600;
    /** Tool output kept for error messages. */
    static final int MAX_OUTPUT_BYTES = 16 * 1024;

    /** Time stamp of the files we add (SOURCE_DATE_EPOCH when set, like the sample guest's build). */
    static final java.time.Instant EPOCH = java.time.Instant.ofEpochSecond(sourceDateEpoch());

    private final Path image;

    public Mtools(Path image) {
        this.image = image;
    }

    /** Copies the whole file system into {@code dir} (which must not exist yet). */
    public void extractAll(Path dir) throws EncryptException {
        run("mcopy", "-s", "-n", "-m", "-i", image.toString(), "::/", dir.toString());
    }

    /** Copies {@code file} to {@code target} (e.g. {@code grub/grub.cfg}), replacing it. */
    public void put(Path file, String target) throws EncryptException {
        try {
            // mcopy -m keeps the source's mtime: a fixed one keeps the partition reproducible
            java.nio.file.Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(EPOCH));
        } catch (IOException e) {
            throw new EncryptException(EncryptException.Step.BOOT, "cannot set the time of " + file + ": " + e.getMessage(), e);
        }
        run("mcopy", "-o", "-m", "-i", image.toString(), file.toString(), "::/" + target);
    }

    /** Makes {@code dir} unless it exists. */
    public void mkdirIfAbsent(String dir) throws EncryptException {
        if (!exec("mdir", "-b", "-i", image.toString(), "::/" + dir).ok()) {
            run("mmd", "-i", image.toString(), "::/" + dir);
        }
    }

    private static long sourceDateEpoch() {
        String v = System.getenv("SOURCE_DATE_EPOCH");
        try {
            return v == null ? 1700000000L : Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return 1700000000L;
        }
    }

    private void run(String... command) throws EncryptException {
        Result r = exec(command);
        if (!r.ok()) {
            throw new EncryptException(EncryptException.Step.TOOL, command[0] + " on the boot partition failed (exit "
                    + r.exit + "): " + r.output.strip());
        }
    }

    private record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    private static Result exec(String... command) throws EncryptException {
        List<String> cmd = new ArrayList<>(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MTOOLS_SKIP_CHECK", "1");
        pb.environment().put("MTOOLS_NO_VFAT", "0");
        pb.environment().put("SOURCE_DATE_EPOCH", Long.toString(EPOCH.getEpochSecond()));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new EncryptException(EncryptException.Step.TOOL, command[0]
                    + " is not installed; the boot partition is edited with mtools (Debian package: mtools)", e);
        }
        try (InputStream in = p.getInputStream()) {
            byte[] out = in.readNBytes(MAX_OUTPUT_BYTES);
            in.transferTo(java.io.OutputStream.nullOutputStream());
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new EncryptException(EncryptException.Step.TOOL, command[0] + " did not finish in "
                        + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new EncryptException(EncryptException.Step.TOOL, command[0] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new EncryptException(EncryptException.Step.TOOL, command[0] + " interrupted", e);
        }
    }
}
