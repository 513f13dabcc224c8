package dev.cvmfde.imagebuilder.rootfs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of a grub.cfg the builder edits and predicts: the {@code linux} lines (kernel path
 * and arguments) and {@code initrd} lines, and the commands grub runs before the default
 * entry's {@code linux}. Words are split on blanks; grub quoting and variables in {@code linux}
 * lines are not interpreted (a line using them is rewritten word by word).
 */
public final class GrubConfig {
    /** What the agent's initramfs needs on the command line, added when the key is absent. */
    public static final List<String> AGENT_PARAMETERS = List.of("rd.neednet=1", "ip=dhcp");
    /** The device-mapper device the agent opens the root as. */
    public static final String ENCRYPTED_ROOT = "root=/dev/mapper/encroot";
    /** Largest grub.cfg accepted; real ones are a few KiB (Debian's with many kernels ~30 KiB). */
    public static final int MAX_GRUB_CFG_BYTES = 1 << 20;

    private static final List<String> LINUX_COMMANDS = List.of("linux", "linuxefi", "linux16");
    private static final List<String> INITRD_COMMANDS = List.of("initrd", "initrdefi", "initrd16");

    /** One boot entry: what grub runs before {@code linux}, the kernel path and arguments, the initrd path. */
    public record BootEntry(List<String> commandsBeforeLinux, String kernelPath, String kernelArguments,
                            String initrdPath) {
        public BootEntry {
            commandsBeforeLinux = List.copyOf(commandsBeforeLinux);
        }
    }

    private GrubConfig() {
    }

    /**
     * grub.cfg with every {@code linux} line's {@code root=} replaced by {@link #ENCRYPTED_ROOT}
     * (added when there is none), {@code extraParameters} appended when their key is absent, and
     * the line made shell-free ({@link NoShellArguments}: arguments that open a shell removed,
     * {@code rd.shell=0 rd.emergency=poweroff} last). Lines, indentation and line endings are
     * otherwise kept.
     */
    public static String rewrite(String cfg, List<String> extraParameters) {
        StringBuilder out = new StringBuilder(cfg.length() + 128);
        for (String line : cfg.split("(?<=\n)", -1)) {
            String body = line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
            String eol = line.substring(body.length());
            List<String> words = words(body);
            if (words.size() >= 2 && LINUX_COMMANDS.contains(words.getFirst())) {
                String indent = body.substring(0, body.indexOf(words.getFirst()));
                out.append(indent).append(String.join(" ", rewriteLinux(words, extraParameters))).append(eol);
            } else {
                out.append(line);
            }
        }
        return out.toString();
    }

    /**
     * A kernel command line (grub's {@code linux} arguments, a BLS entry's {@code options}) rewritten
     * as {@link #rewrite} rewrites a {@code linux} line's arguments.
     */
    public static String rewriteArguments(String arguments, List<String> extraParameters) {
        List<String> words = new ArrayList<>(List.of("linux", "-"));
        for (String w : arguments.strip().split("[ \t]+")) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        List<String> out = rewriteLinux(words, extraParameters);
        return String.join(" ", out.subList(2, out.size()));
    }

    private static List<String> rewriteLinux(List<String> words, List<String> extra) {
        List<String> out = new ArrayList<>(words.subList(0, 2));
        boolean rootDone = false;
        for (String w : words.subList(2, words.size())) {
            if (w.startsWith("root=")) {
                if (!rootDone) {
                    out.add(ENCRYPTED_ROOT);
                    rootDone = true;
                }
            } else {
                out.add(w);
            }
        }
        if (!rootDone) {
            out.add(2, ENCRYPTED_ROOT);
        }
        for (String p : extra) {
            String key = p.contains("=") ? p.substring(0, p.indexOf('=') + 1) : p;
            boolean present = out.subList(2, out.size()).stream()
                    .anyMatch(w -> w.equals(p) || (key.endsWith("=") && w.startsWith(key)) || w.equals(key));
            if (!present) {
                out.add(p);
            }
        }
        List<String> shellFree = new ArrayList<>(out.subList(0, 2));
        shellFree.addAll(NoShellArguments.apply(out.subList(2, out.size())));
        return shellFree;
    }

    /**
     * The entry grub boots by default (the first {@code menuentry}, or a top-level {@code linux}
     * line): grub first runs every top-level command of the file, then the entry's commands;
     * the result lists those before the entry's {@code linux}, plus the kernel and initrd paths
     * and the kernel arguments. Empty when there is no {@code linux} line. {@code if} blocks and
     * variables are not evaluated, so the command list is exact only for plain configs.
     */
    public static Optional<BootEntry> defaultEntry(String cfg) {
        List<String> topLevel = new ArrayList<>();
        List<String> inEntry = new ArrayList<>();
        String kernel = null;
        String args = null;
        String initrd = null;
        int depth = 0;
        int entries = 0;
        for (String raw : cfg.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> words = words(line);
            String cmd = words.getFirst();
            if (cmd.equals("menuentry") || cmd.equals("submenu")) {
                entries += depth == 0 ? 1 : 0;
                depth++;
                continue;
            }
            if (cmd.equals("}")) {
                depth = Math.max(0, depth - 1);
                continue;
            }
            boolean firstEntry = depth > 0 && entries == 1;
            if (depth > 0 && !firstEntry) {
                continue;
            }
            List<String> target = depth == 0 ? topLevel : inEntry;
            if (LINUX_COMMANDS.contains(cmd) && words.size() >= 2 && kernel == null) {
                kernel = words.get(1);
                args = String.join(" ", words.subList(2, words.size()));
            } else if (INITRD_COMMANDS.contains(cmd) && words.size() >= 2 && kernel != null && initrd == null) {
                initrd = words.get(1);
            } else if (kernel == null) {
                target.add(line);
            } else if (depth == 0) {
                topLevel.add(line);
            }
        }
        if (kernel == null || initrd == null) {
            return Optional.empty();
        }
        List<String> before = new ArrayList<>(topLevel);
        before.addAll(inEntry);
        return Optional.of(new BootEntry(before, kernel, args, initrd));
    }

    /**
     * How the config spells the command that loads {@code path}: {@code linux}/{@code linuxefi}/
     * {@code linux16} for a kernel, {@code initrd}/{@code initrdefi}/{@code initrd16} for an initrd
     * (grub logs the command as spelled); the first line naming the path decides.
     */
    public static Optional<String> loaderCommand(String cfg, String path) {
        for (String raw : cfg.split("\n")) {
            List<String> words = words(raw.strip());
            String cmd = words.getFirst();
            if (words.size() >= 2 && words.get(1).equals(path)
                    && (LINUX_COMMANDS.contains(cmd) || INITRD_COMMANDS.contains(cmd))) {
                return Optional.of(cmd);
            }
        }
        return Optional.empty();
    }

    /** Kernel file name (e.g. {@code vmlinuz-6.1.0}) → its arguments, for every {@code linux} line. */
    public static Map<String, String> argumentsByKernel(String cfg) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String raw : cfg.split("\n")) {
            List<String> words = words(raw.strip());
            if (words.size() >= 2 && LINUX_COMMANDS.contains(words.getFirst())) {
                String path = words.get(1);
                String name = path.substring(path.lastIndexOf('/') + 1);
                out.putIfAbsent(name, String.join(" ", words.subList(2, words.size())));
            }
        }
        return out;
    }

    private static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        for (String w : line.strip().split("[ \t]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        if (out.isEmpty()) {
            out.add("");
        }
        return out;
    }
}
