package dev.cvmfde.imagebuilder.rootfs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The root file system's {@code /etc/fstab}, edited as the encrypted root needs it: the {@code /}
 * entry that names the root partition by device path ({@code /dev/vda1}, {@code /dev/sda2},
 * {@code /dev/disk/by-…}) or by {@code PARTUUID=} (which now names the LUKS container, not the
 * file system) names {@code /dev/mapper/encroot} instead; {@code UUID=} and {@code LABEL=} entries
 * stay (the file system inside keeps its UUID and label). A {@code /boot} entry can be set (for
 * the boot partition made when {@code /boot} was inside the root). Comments, other entries and
 * line endings are kept.
 */
public final class Fstab {
    /** What the agent opens the root as. */
    public static final String ENCRYPTED_ROOT_DEVICE = "/dev/mapper/encroot";
    /** Largest fstab accepted. */
    public static final int MAX_FSTAB_BYTES = 1 << 20;

    private Fstab() {
    }

    /** The edited fstab, or empty when nothing had to change. */
    public static Optional<String> rewrite(String fstab, Optional<String> bootEntry) {
        StringBuilder out = new StringBuilder(fstab.length() + 128);
        boolean changed = false;
        boolean bootDone = bootEntry.isEmpty();
        for (String line : fstab.split("(?<=\n)", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            String body = line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
            String eol = line.substring(body.length());
            List<String> f = fields(body);
            if (f.size() >= 2 && !f.getFirst().startsWith("#")) {
                String spec = f.get(0);
                String mount = f.get(1);
                if (mount.equals("/") && namesPartition(spec)) {
                    out.append(body.replaceFirst(java.util.regex.Pattern.quote(spec),
                            java.util.regex.Matcher.quoteReplacement(ENCRYPTED_ROOT_DEVICE))).append(eol);
                    changed = true;
                    continue;
                }
                if (mount.equals("/boot") && !bootDone) {
                    out.append(bootEntry.get()).append(eol.isEmpty() ? "\n" : eol);
                    bootDone = true;
                    changed = true;
                    continue;
                }
            }
            out.append(line);
        }
        if (!bootDone) {
            if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
                out.append('\n');
            }
            out.append(bootEntry.get()).append('\n');
            changed = true;
        }
        return changed ? Optional.of(out.toString()) : Optional.empty();
    }

    private static boolean namesPartition(String spec) {
        return (spec.startsWith("/dev/") && !spec.equals(ENCRYPTED_ROOT_DEVICE) && !spec.startsWith("/dev/mapper/"))
                || spec.startsWith("PARTUUID=") || spec.startsWith("PARTLABEL=");
    }

    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        for (String w : line.strip().split("[ \t]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }
}
