package dev.cvmfde.agent.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kernel command line as the agent sees it: words split on blanks, double quotes group
 * (as the kernel does), {@code key=value} or a bare {@code key}. A later word wins over an
 * earlier one with the same key, as in dracut's {@code getarg}.
 */
public record KernelCmdline(List<String> words) {
    public static final Path PROC_CMDLINE = Path.of("/proc/cmdline");
    /** Longest command line read; Linux allows at most a few KiB (COMMAND_LINE_SIZE). */
    public static final int MAX_CMDLINE_BYTES = 64 * 1024;

    public KernelCmdline {
        words = List.copyOf(words);
    }

    public static KernelCmdline parse(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                inWord = true;
            } else if (!quoted && Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            out.add(word.toString());
        }
        return new KernelCmdline(out);
    }

    /** Reads {@code file} (normally {@code /proc/cmdline}); a missing file is an empty command line. */
    public static KernelCmdline read(Path file) throws ConfigException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_CMDLINE_BYTES + 1);
            if (bytes.length > MAX_CMDLINE_BYTES) {
                throw new ConfigException("kernel command line " + file + " is longer than " + MAX_CMDLINE_BYTES + " bytes");
            }
            return parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return new KernelCmdline(List.of());
        } catch (IOException e) {
            throw new ConfigException("cannot read the kernel command line " + file + ": " + e.getMessage(), e);
        }
    }

    /** The last value of {@code key=…}; a bare {@code key} gives an empty string. */
    public Optional<String> value(String key) {
        return Optional.ofNullable(all().get(key));
    }

    /** All {@code key → last value} pairs, in first-seen order. */
    public Map<String, String> all() {
        Map<String, String> map = new LinkedHashMap<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            String key = eq < 0 ? w : w.substring(0, eq);
            map.remove(key);
            map.put(key, eq < 0 ? "" : w.substring(eq + 1));
        }
        return map;
    }

    /** Every value of a repeatable key such as {@code ip=}. */
    public List<String> values(String key) {
        List<String> out = new ArrayList<>();
        for (String w : words) {
            if (w.equals(key)) {
                out.add("");
            } else if (w.startsWith(key + "=")) {
                out.add(w.substring(key.length() + 1));
            }
        }
        return out;
    }
}
