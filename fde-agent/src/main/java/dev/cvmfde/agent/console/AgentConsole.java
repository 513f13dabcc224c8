package dev.cvmfde.agent.console;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the agent talks to the person at the console: {@code /dev/console} when it exists and is
 * writable (in the initramfs), else standard error. One line per call, flushed at once. Never
 * given key bytes.
 */
public final class AgentConsole {
    public static final Path DEV_CONSOLE = Path.of("/dev/console");
    /** The prefix of the address lines ({@code fde: 10.0.2.15:7220}) host scripts wait for. */
    public static final String ADDRESS_PREFIX = "fde: ";
    /** The prefix of every other line. */
    public static final String MESSAGE_PREFIX = "fde-agent: ";

    private final PrintStream out;

    private AgentConsole(PrintStream out) {
        this.out = out;
    }

    /** {@code /dev/console} if writable, else {@link System#err}. */
    public static AgentConsole system() {
        if (Files.isWritable(DEV_CONSOLE)) {
            try {
                return new AgentConsole(new PrintStream(new FileOutputStream(DEV_CONSOLE.toFile(), true), true,
                        StandardCharsets.UTF_8));
            } catch (IOException | SecurityException e) {
                System.err.println(MESSAGE_PREFIX + "cannot open " + DEV_CONSOLE + " (" + e.getMessage() + "); using stderr");
            }
        }
        return new AgentConsole(System.err);
    }

    public static AgentConsole to(PrintStream out) {
        return new AgentConsole(out);
    }

    /** {@code fde: <address>} — exactly this form, for scripts. */
    public void address(String hostAndPort) {
        print(ADDRESS_PREFIX + hostAndPort);
    }

    /** {@code fde-agent: <text>}. */
    public void say(String text) {
        print(MESSAGE_PREFIX + text);
    }

    private void print(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    /** {@code 90s}, {@code 4m}, {@code 1m30s}: how durations appear in console messages. */
    public static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 60 || d.toMillis() % 1000 != 0 && s < 600) {
            return d.toMillis() % 1000 == 0 ? s + "s" : d.toMillis() + "ms";
        }
        return s % 60 == 0 ? (s / 60) + "m" : (s / 60) + "m" + (s % 60) + "s";
    }
}
