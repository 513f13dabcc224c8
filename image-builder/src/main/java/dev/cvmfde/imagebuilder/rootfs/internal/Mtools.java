package dev.cvmfde.imagebuilder.rootfs.internal;

import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * mtools on a vfat image file, rootless: copy the tree out, replace or add files, make
 * directories. Each call names the tool and its output when it fails (e.g. "disk full").
 */
public final class Mtools implements BootFs {
    /** Time stamp of the files we add (SOURCE_DATE_EPOCH when set, like the sample guest's build). */
    static final java.time.Instant EPOCH = java.time.Instant.ofEpochSecond(sourceDateEpoch());

    private final Path image;

    public Mtools(Path image) {
        this.image = image;
    }

    @Override
    public void extractAll(Path dir) throws EncryptException {
        run("mcopy", "-s", "-n", "-m", "-i", image.toString(), "::/", dir.toString());
    }

    @Override
    public void put(Path file, String target) throws EncryptException {
        try {
            // mcopy -m keeps the source's mtime: a fixed one keeps the partition reproducible
            java.nio.file.Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(EPOCH));
        } catch (IOException e) {
            throw new EncryptException(EncryptException.Step.BOOT, "cannot set the time of " + file + ": " + e.getMessage(), e);
        }
        run("mcopy", "-o", "-m", "-i", image.toString(), file.toString(), "::/" + target);
    }

    @Override
    public List<String> list(String dir) throws EncryptException {
        ExternalTool.Result r = exec("mdir", "-b", "-i", image.toString(), "::/" + dir);
        if (!r.ok()) {
            return List.of();
        }
        java.util.ArrayList<String> names = new java.util.ArrayList<>();
        for (String l : r.output().split("\n")) {
            String n = l.strip();
            if (n.endsWith("/")) {
                n = n.substring(0, n.length() - 1);
            }
            n = n.substring(n.lastIndexOf('/') + 1);
            if (!n.isEmpty() && !n.equals(".") && !n.equals("..")) {
                names.add(n);
            }
        }
        return names;
    }

    @Override
    public void mkdirIfAbsent(String dir) throws EncryptException {
        if (!exec("mdir", "-b", "-i", image.toString(), "::/" + dir).ok()) {
            run("mmd", "-i", image.toString(), "::/" + dir);
        }
    }

    static long sourceDateEpoch() {
        String v = System.getenv("SOURCE_DATE_EPOCH");
        try {
            return v == null ? 1700000000L : Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return 1700000000L;
        }
    }

    private void run(String... command) throws EncryptException {
        ExternalTool.Result r = exec(command);
        if (!r.ok()) {
            throw new EncryptException(EncryptException.Step.TOOL, command[0] + " on the boot partition failed (exit "
                    + r.exit() + "): " + (r.output() + r.errors()).strip());
        }
    }

    private static ExternalTool.Result exec(String... command) throws EncryptException {
        return ExternalTool.exec(List.of(command), Map.of("MTOOLS_SKIP_CHECK", "1", "MTOOLS_NO_VFAT", "0",
                "SOURCE_DATE_EPOCH", Long.toString(EPOCH.getEpochSecond())), "mtools");
    }
}
