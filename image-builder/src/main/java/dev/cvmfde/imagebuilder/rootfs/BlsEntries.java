package dev.cvmfde.imagebuilder.rootfs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Boot Loader Specification type #1 entries ({@code /loader/entries/*.conf}: {@code title},
 * {@code version}, {@code linux}, {@code initrd}, {@code options}), as Fedora, the RHEL family and
 * openEuler describe kernels and grub's {@code blscfg} command turns into menu entries. Only the
 * {@code options} line is rewritten; every other line stays byte for byte.
 */
public final class BlsEntries {
    /** Largest entry file accepted; real ones are a few hundred bytes. */
    public static final int MAX_ENTRY_BYTES = 64 * 1024;
    /** The directory of the entries, relative to the boot partition's top. */
    public static final String DIRECTORY = "loader/entries";

    /** One entry: its file name and the first value of each key. */
    public record Entry(String fileName, String text, Map<String, String> keys) {
        public Entry {
            keys = Map.copyOf(keys);
        }

        public Optional<String> get(String key) {
            return Optional.ofNullable(keys.get(key));
        }

        /** The version grub sorts by: {@code version}, else the file name without {@code .conf}. */
        public String sortVersion() {
            return get("version").orElse(fileName.replaceFirst("\\.conf$", ""));
        }
    }

    private BlsEntries() {
    }

    /** Parses one entry; {@code linux} is required (refused otherwise, with the file named). */
    public static Entry parse(String fileName, String text) throws EncryptException {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int sp = indexOfBlank(line);
            String key = sp < 0 ? line : line.substring(0, sp);
            String value = sp < 0 ? "" : line.substring(sp).strip();
            keys.putIfAbsent(key, value);
        }
        if (!keys.containsKey("linux")) {
            throw new EncryptException(EncryptException.Step.BOOT, DIRECTORY + "/" + fileName
                    + " has no linux line (a BLS type #1 entry names its kernel with linux)");
        }
        if (keys.getOrDefault("options", "").contains("$")) {
            throw new EncryptException(EncryptException.Step.BOOT, DIRECTORY + "/" + fileName + ": options uses a grub"
                    + " variable (" + keys.get("options") + "); only literal options are supported (write them into"
                    + " the entry, e.g. with grubby --update-kernel=ALL --args=...)");
        }
        return new Entry(fileName, text, keys);
    }

    /**
     * The entry text with its {@code options} line rewritten ({@link GrubConfig#rewriteArguments}),
     * or one added after {@code linux} when there is none.
     */
    public static String rewrite(Entry e, List<String> extraParameters) {
        String options = GrubConfig.rewriteArguments(e.get("options").orElse(""), extraParameters);
        StringBuilder out = new StringBuilder(e.text().length() + 128);
        boolean done = false;
        for (String line : e.text().split("(?<=\n)", -1)) {
            String body = line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
            String stripped = body.strip();
            int sp = indexOfBlank(stripped);
            String key = sp < 0 ? stripped : stripped.substring(0, sp);
            if (!done && key.equals("options")) {
                out.append("options ").append(options).append(line.substring(body.length()));
                done = true;
            } else {
                out.append(line);
                if (!done && e.get("options").isEmpty() && key.equals("linux")) {
                    out.append(line.endsWith("\n") ? "" : "\n").append("options ").append(options).append('\n');
                    done = true;
                }
            }
        }
        return out.toString();
    }

    /**
     * The entry grub's blscfg boots by default without a saved choice: the highest version
     * (grub sorts the entries newest first).
     */
    public static Entry defaultEntry(List<Entry> entries) {
        return entries.stream().max(Comparator.comparing(Entry::sortVersion, BlsEntries::compareVersions)
                .thenComparing(Entry::fileName)).orElseThrow();
    }

    /** rpm-style comparison: runs of digits numerically, other runs as text. */
    static int compareVersions(String a, String b) {
        List<String> x = runs(a);
        List<String> y = runs(b);
        for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
            String p = x.get(i);
            String q = y.get(i);
            int c;
            if (Character.isDigit(p.charAt(0)) && Character.isDigit(q.charAt(0))) {
                c = new java.math.BigInteger(p).compareTo(new java.math.BigInteger(q));
            } else {
                c = p.compareTo(q);
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.size(), y.size());
    }

    private static List<String> runs(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            int j = i;
            boolean digit = Character.isDigit(s.charAt(i));
            while (j < s.length() && Character.isLetterOrDigit(s.charAt(j)) && Character.isDigit(s.charAt(j)) == digit) {
                j++;
            }
            if (j == i) {
                i++;
                continue;
            }
            out.add(s.substring(i, j));
            i = j;
        }
        return out;
    }

    private static int indexOfBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
                return i;
            }
        }
        return -1;
    }
}
