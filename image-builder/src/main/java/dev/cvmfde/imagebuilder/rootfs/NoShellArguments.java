package dev.cvmfde.imagebuilder.rootfs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * No shell, ever: the kernel arguments the builder pins on every {@code linux} line and the ones
 * it removes because they open a shell in dracut's initramfs, in systemd-in-initrd or in the
 * unlocked root. The verifier compares the measured command line with hash.json's
 * {@code cmdline} exactly, so a host that adds any of them back is refused there; these rules
 * make sure the command line the baseline names is itself shell-free.
 *
 * <ul>
 * <li>{@code rd.shell=0}: dracut's default is 1 — an initqueue that times out, a root that never
 *     appears or {@code die} would otherwise start a shell (dracut-emergency: {@code sulogin -e},
 *     a root shell without a password);</li>
 * <li>{@code rd.emergency=poweroff}: what dracut does instead of that shell (its default, halt,
 *     leaves a stopped guest the host cannot tell from a slow one);</li>
 * <li>removed: {@code rd.break[=hook]} (a shell at that point whatever rd.shell says), other
 *     {@code rd.shell}/{@code rd.emergency} values and their old names {@code rdshell}/{@code rdbreak},
 *     {@code systemd.debug_shell} (root shell on tty9), {@code systemd.confirm_spawn} (a console
 *     prompt before every unit), {@code rd.systemd.unit=} and a {@code systemd.unit=} of the
 *     emergency or rescue target, the runlevel words that select them ({@code single}, {@code s},
 *     {@code S}, {@code 1}, {@code -s}, {@code -b}, {@code emergency}, {@code rescue} and their
 *     {@code rd.} forms), {@code rdinit=} and an {@code init=} that names a shell or busybox.</li>
 * </ul>
 * {@code rd.debug} stays: it traces the hooks on the console but opens nothing (the key never
 * passes through a shell variable).
 */
public final class NoShellArguments {
    /** Appended to every {@code linux} line, replacing any other value of the same keys. */
    public static final List<String> PINNED = List.of("rd.shell=0", "rd.emergency=poweroff");

    private static final Pattern KEYS_REMOVED = Pattern.compile(
            "(rd\\.shell|rdshell|rd\\.emergency|rd\\.break|rdbreak|systemd\\.debug[_-]shell|rd\\.systemd\\.debug[_-]shell"
                    + "|systemd\\.confirm[_-]spawn|rd\\.systemd\\.unit|rdinit)(=.*)?");
    private static final Pattern RUNLEVEL_WORDS = Pattern.compile("(rd\\.)?(single|s|S|1|-s|-b|emergency|rescue)");
    private static final Pattern SHELL_TARGET = Pattern.compile("systemd\\.unit=(emergency|rescue)(\\.target)?");
    private static final Pattern SHELL_INIT = Pattern.compile("init=(.*/)?((ba|da|z|k|c|tc|fi|a|mk|r)?sh|busybox)");

    private NoShellArguments() {
    }

    /** Whether {@code word} (one kernel argument) is removed from the command line. */
    public static boolean removed(String word) {
        return KEYS_REMOVED.matcher(word).matches() || RUNLEVEL_WORDS.matcher(word).matches()
                || SHELL_TARGET.matcher(word).matches() || SHELL_INIT.matcher(word.toLowerCase(Locale.ROOT)).matches();
    }

    /** {@code arguments} without the removed words, then {@link #PINNED}. */
    public static List<String> apply(List<String> arguments) {
        List<String> out = new ArrayList<>();
        for (String w : arguments) {
            if (!removed(w)) {
                out.add(w);
            }
        }
        out.addAll(PINNED);
        return out;
    }
}
