package dev.cvmfde.agent.initramfs;

import dev.cvmfde.agent.config.AgentConfig;
import dev.cvmfde.agent.config.internal.ConfigJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the image builder appends to an initramfs it cannot rebuild so that the agent runs at
 * boot: the dracut hooks (the same scripts as the {@code 90cvmfde} dracut module), the agent's
 * configuration and pinned verifier key under {@code etc/cvm-fde/}, the power-off script and the
 * debug-shell drop-in (no shell, ever), and the guest runtime (from
 * {@code tools/guest-runtime/build.sh}) under {@code usr/lib/cvm-fde/runtime/}. Entries
 * come sorted, directories before their contents, so the archive is deterministic.
 *
 * <pre>{@code
 * for (OverlayFile f : AgentOverlay.entries(config, verifierPub, runtimeDir)) {
 *     entries.add(f.directory() ? OverlayEntry.directory(f.path()) : OverlayEntry.file(f.path(), f.mode(), f.content()));
 * }
 * }</pre>
 */
public final class AgentOverlay {
    public static final String RUNTIME_DIR = "usr/lib/cvm-fde/runtime";
    public static final String CONFIG_FILE = "etc/cvm-fde/agent.json";
    public static final String HOOK_DIR = "usr/lib/dracut/hooks/initqueue";
    /** Hook script resource → its place in the initramfs. */
    public static final Map<String, String> HOOKS = Map.of(
            "cvmfde-online.sh", HOOK_DIR + "/online/90-cvmfde.sh",
            "cvmfde-finished.sh", HOOK_DIR + "/finished/90-cvmfde.sh",
            "cvmfde-settled.sh", HOOK_DIR + "/settled/90-cvmfde.sh",
            "cvmfde-timeout.sh", HOOK_DIR + "/timeout/90-cvmfde.sh",
            "cvmfde-emergency.sh", "usr/lib/dracut/hooks/emergency/00-cvmfde.sh",
            "cvmfde-pull-early.sh", "usr/lib/dracut/hooks/pre-trigger/90-cvmfde-pull.sh");
    /**
     * The online hook's script again, run (not sourced) by the pull-mode pre-trigger hook's
     * initqueue job: the agent then starts while the network comes up.
     */
    public static final String START_AGENT = "usr/lib/cvm-fde/start-agent";
    /**
     * No shell, ever: the script every failure path runs ({@code cvmfde-poweroff.sh}: says why on
     * the console, powers the guest off, never returns). The hooks call it by this path.
     */
    public static final String POWEROFF = "usr/lib/cvm-fde/poweroff";
    static final String POWEROFF_RESOURCE = "cvmfde-poweroff.sh";
    /** Turns systemd's debug-shell.service ({@code systemd.debug_shell}) into {@link #POWEROFF}. */
    public static final String DEBUG_SHELL_DROP_IN = "etc/systemd/system/debug-shell.service.d/90-cvmfde.conf";
    static final String DEBUG_SHELL_DROP_IN_RESOURCE = "cvmfde-no-debug-shell.conf";
    static final String RESOURCE_DIR = "/dev/cvmfde/agent/dracut/90cvmfde/";
    /** Largest runtime accepted (a jlink'd runtime with its AOT cache is ~60 MiB). */
    public static final long MAX_RUNTIME_BYTES = 512L << 20;
    /** The runtime's launcher, relative to {@link #RUNTIME_DIR}; the online hook runs it. */
    public static final String LAUNCHER = "bin/fde-agent";

    private AgentOverlay() {
    }

    /**
     * The overlay for {@code config}: its JSON goes to {@link #CONFIG_FILE}, {@code verifierKeyFile}'s
     * bytes to {@code config.verifierKey()} (which must lie under {@code /etc/cvm-fde/}), and every
     * file of {@code runtimeDir} under {@link #RUNTIME_DIR} with its executable bit kept.
     */
    public static List<OverlayFile> entries(AgentConfig config, Path verifierKeyFile, Path runtimeDir) throws IOException {
        String keyPath = config.verifierKey().toString();
        if (!keyPath.startsWith("/etc/cvm-fde/") || keyPath.substring("/etc/cvm-fde/".length()).contains("/")) {
            throw new IllegalArgumentException("verifierKey is " + keyPath + "; the overlay puts it directly under /etc/cvm-fde/");
        }
        if (!Files.isExecutable(runtimeDir.resolve(LAUNCHER))) {
            throw new IOException("runtime " + runtimeDir + " has no executable " + LAUNCHER
                    + "; build it with tools/guest-runtime/build.sh OUTDIR");
        }
        TreeMap<String, OverlayFile> out = new TreeMap<>();
        addDir(out, "etc/cvm-fde");
        out.put(CONFIG_FILE, OverlayFile.file(CONFIG_FILE, 0644, ConfigJson.write(config)));
        out.put(keyPath.substring(1), OverlayFile.file(keyPath.substring(1), 0644, Files.readAllBytes(verifierKeyFile)));
        for (Map.Entry<String, String> hook : HOOKS.entrySet()) {
            out.put(hook.getValue(), OverlayFile.file(hook.getValue(), 0755, hookScript(hook.getKey())));
        }
        addDir(out, "usr/lib/cvm-fde");
        out.put(POWEROFF, OverlayFile.file(POWEROFF, 0755, hookScript(POWEROFF_RESOURCE)));
        out.put(START_AGENT, OverlayFile.file(START_AGENT, 0755, hookScript("cvmfde-online.sh")));
        for (String dir : List.of("etc/systemd", "etc/systemd/system", "etc/systemd/system/debug-shell.service.d")) {
            addDir(out, dir);
        }
        out.put(DEBUG_SHELL_DROP_IN, OverlayFile.file(DEBUG_SHELL_DROP_IN, 0644, hookScript(DEBUG_SHELL_DROP_IN_RESOURCE)));
        addRuntime(out, runtimeDir);
        return List.copyOf(out.values());
    }

    /** The bytes of one of the module's files ({@link #HOOKS} keys, the power-off script, {@code module-setup.sh}…). */
    public static byte[] hookScript(String name) throws IOException {
        try (InputStream in = AgentOverlay.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new IOException("hook script " + name + " is missing from the fde-agent jar");
            }
            return in.readAllBytes();
        }
    }

    /** Writes the entries as a directory tree (for {@code tools/sample-guest/append-overlay.sh}). */
    public static void writeTree(List<OverlayFile> entries, Path outDir) throws IOException {
        for (OverlayFile f : entries) {
            Path target = outDir.resolve(f.path());
            if (f.directory()) {
                Files.createDirectories(target);
            } else {
                Files.createDirectories(target.getParent());
                Files.write(target, f.content());
                Files.setPosixFilePermissions(target, permissions(f.mode()));
            }
        }
    }

    private static void addRuntime(TreeMap<String, OverlayFile> out, Path runtimeDir) throws IOException {
        long[] total = {0};
        try (Stream<Path> walk = Files.walk(runtimeDir)) {
            for (Path p : walk.sorted().toList()) {
                String rel = runtimeDir.relativize(p).toString();
                String path = rel.isEmpty() ? RUNTIME_DIR : RUNTIME_DIR + "/" + rel;
                if (Files.isDirectory(p)) {
                    addDir(out, path);
                    continue;
                }
                byte[] bytes = Files.readAllBytes(p);
                total[0] += bytes.length;
                if (total[0] > MAX_RUNTIME_BYTES) {
                    throw new IOException("runtime " + runtimeDir + " is larger than " + (MAX_RUNTIME_BYTES >> 20) + " MiB");
                }
                out.put(path, OverlayFile.file(path, Files.isExecutable(p) ? 0755 : 0644, bytes));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void addDir(TreeMap<String, OverlayFile> out, String path) {
        out.put(path, OverlayFile.dir(path));
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = java.util.EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                s.add(order[i]);
            }
        }
        return s;
    }
}
