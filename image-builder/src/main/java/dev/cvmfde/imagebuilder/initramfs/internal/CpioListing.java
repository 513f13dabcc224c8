package dev.cvmfde.imagebuilder.initramfs.internal;

import dev.cvmfde.imagebuilder.initramfs.InitramfsFormatException;
import io.airlift.compress.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * The names in an existing initramfs (what an appended overlay lands on): each path's type,
 * and each symlink's target, read from the concatenated newc cpio archives the kernel unpacks
 * (uncompressed, or gzip, zstd, xz or bzip2 compressed). File contents are skipped, not kept.
 *
 * <p>Why: the kernel replaces an existing name whose type differs from the appended entry's
 * (init/initramfs.c {@code clean_path}, which does not follow symlinks). dracut 106 (Debian
 * trixie) makes {@code usr/lib/dracut/hooks} a symlink to {@code var/lib/dracut/hooks}; a
 * directory entry for it in the overlay would replace every hook dracut has with an empty
 * directory. Knowing the base's names lets the overlay emit entries only for what is missing.
 *
 * <p>Reading stops after the first compressed archive: its end is not known without
 * decompressing byte-exactly, and a dracut initramfs is an uncompressed early archive
 * followed by one compressed main archive.
 */
public final class CpioListing {
    /** Names (entries) read before the base is refused as implausible. */
    public static final int MAX_ENTRIES = 1_000_000;
    /** Decompressed bytes read before the base is refused (a decompression bomb). */
    public static final long MAX_UNPACKED_BYTES = 4L << 30;
    /** Longest name or symlink target (the kernel's PATH_MAX). */
    static final int MAX_NAME_BYTES = 4096;
    /** Symlinks followed while resolving one path (the kernel's limit). */
    static final int MAX_SYMLINK_HOPS = 40;

    /** The type of a name in the initramfs. */
    public enum Type { DIRECTORY, SYMLINK, OTHER }

    private record Node(Type type, String target) {
    }

    private final Map<String, Node> nodes = new HashMap<>();
    private final String source;

    private CpioListing(String source) {
        this.source = source;
    }

    /** Reads the names in {@code initramfs}; the file is only read. */
    public static CpioListing read(Path initramfs) throws IOException {
        CpioListing listing = new CpioListing(initramfs.getFileName().toString());
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(initramfs), 1 << 16)) {
            listing.readSegments(raw);
        }
        return listing;
    }

    /** Reads the names from a stream (tests). */
    public static CpioListing read(InputStream in, String source) throws IOException {
        CpioListing listing = new CpioListing(source);
        listing.readSegments(in.markSupported() ? in : new BufferedInputStream(in));
        return listing;
    }

    /**
     * The type of {@code path} with every symlink in it followed (as the kernel's path walk does
     * when it creates an appended file), or empty if it does not exist.
     */
    public Optional<Type> resolvedType(String path) throws InitramfsFormatException {
        return resolve(path).map(p -> nodes.get(p).type());
    }

    /** The type of {@code path} itself (its last component not followed), or empty. */
    public Optional<Type> typeOf(String path) throws InitramfsFormatException {
        Optional<String> parent = parentOf(path).isEmpty() ? Optional.of("") : resolve(parentOf(path));
        if (parent.isEmpty()) {
            return Optional.empty();
        }
        String p = join(parent.get(), nameOf(path));
        Node n = nodes.get(p);
        return n == null ? Optional.empty() : Optional.of(n.type());
    }

    /** How many names were read. */
    public int size() {
        return nodes.size();
    }

    private Optional<String> resolve(String path) throws InitramfsFormatException {
        Deque<String> todo = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                todo.addLast(part);
            }
        }
        String at = "";
        int hops = 0;
        while (!todo.isEmpty()) {
            String part = todo.removeFirst();
            if (part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                at = parentOf(at);
                continue;
            }
            String next = join(at, part);
            Node n = nodes.get(next);
            if (n == null) {
                return Optional.empty();
            }
            if (n.type() == Type.SYMLINK) {
                if (++hops > MAX_SYMLINK_HOPS) {
                    throw new InitramfsFormatException(source, "more than " + MAX_SYMLINK_HOPS
                            + " symlinks followed resolving '" + path + "' (a symlink loop)");
                }
                String t = n.target();
                String[] parts = t.split("/");
                for (int i = parts.length - 1; i >= 0; i--) {
                    if (!parts[i].isEmpty()) {
                        todo.addFirst(parts[i]);
                    }
                }
                at = t.startsWith("/") ? "" : at;
                continue;
            }
            at = next;
        }
        return at.isEmpty() ? Optional.empty() : Optional.of(at);
    }

    private static String parentOf(String path) {
        int i = path.lastIndexOf('/');
        return i < 0 ? "" : path.substring(0, i);
    }

    private static String nameOf(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String join(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    private void readSegments(InputStream in) throws IOException {
        long[] budget = {MAX_UNPACKED_BYTES};
        while (true) {
            in.mark(8);
            int first = in.read();
            while (first == 0) {       // padding between archives
                in.mark(8);
                first = in.read();
            }
            if (first < 0) {
                return;
            }
            in.reset();
            byte[] magic = new byte[6];
            in.mark(8);
            int n = in.readNBytes(magic, 0, 6);
            in.reset();
            String format = compression(magic, n);
            if (format == null) {
                readArchive(in, budget);
                continue;
            }
            InputStream unpacked = switch (format) {
                case "gzip" -> new GzipCompressorInputStream(in, false);
                case "zstd" -> new ZstdInputStream(in);
                case "xz" -> new XZCompressorInputStream(in, false);
                case "bzip2" -> new BZip2CompressorInputStream(in, false);
                default -> throw new InitramfsFormatException(source, "compressed with " + format
                        + ", which cvm-fde cannot read (supported: uncompressed, gzip, zstd, xz, bzip2);"
                        + " rebuild it with dracut --compress zstd (or gzip)");
            };
            try (InputStream u = new BufferedInputStream(unpacked, 1 << 16)) {
                while (readArchive(u, budget)) {
                    // archives inside one compressed stream follow each other, padded to 4 bytes
                }
            }
            return;
        }
    }

    private static String compression(byte[] m, int n) {
        if (n >= 6 && m[0] == '0' && m[1] == '7' && m[2] == '0' && m[3] == '7' && m[4] == '0'
                && (m[5] == '1' || m[5] == '2')) {
            return null;
        }
        if (n >= 2 && (m[0] & 0xff) == 0x1f && ((m[1] & 0xff) == 0x8b || (m[1] & 0xff) == 0x9e)) {
            return "gzip";
        }
        if (n >= 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5 && (m[2] & 0xff) == 0x2f && (m[3] & 0xff) == 0xfd) {
            return "zstd";
        }
        if (n >= 6 && (m[0] & 0xff) == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z' && m[5] == 0) {
            return "xz";
        }
        if (n >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') {
            return "bzip2";
        }
        if (n >= 4 && (m[0] & 0xff) == 0x02 && (m[1] & 0xff) == 0x21 && (m[2] & 0xff) == 0x4c && (m[3] & 0xff) == 0x18) {
            return "lz4";
        }
        if (n >= 4 && (m[0] & 0xff) == 0x89 && m[1] == 'L' && m[2] == 'Z' && m[3] == 'O') {
            return "lzo";
        }
        if (n >= 3 && (m[0] & 0xff) == 0x5d && m[1] == 0 && m[2] == 0) {
            return "lzma";
        }
        return "an unknown format (first bytes " + String.format("%02x %02x %02x %02x", m[0], m[1], m[2], m[3]) + ")";
    }

    /**
     * Reads one newc archive up to and including its trailer; false when the stream ended
     * (only zero padding left) before another archive started.
     */
    private boolean readArchive(InputStream in, long[] budget) throws IOException {
        long offset = 0;
        boolean any = false;
        while (true) {
            byte[] header = new byte[110];
            int got = in.readNBytes(header, 0, 110);
            if (got == 0 && !any) {
                return false;
            }
            if (!any) {
                // skip zero padding before an archive inside a compressed stream
                int z = 0;
                while (z < got && header[z] == 0) {
                    z++;
                }
                if (z == got) {
                    int b;
                    while ((b = in.read()) == 0) {
                        // padding
                    }
                    if (b < 0) {
                        return false;
                    }
                    header[0] = (byte) b;
                    got = 1 + in.readNBytes(header, 1, 109);
                } else if (z > 0) {
                    System.arraycopy(header, z, header, 0, got - z);
                    got = got - z + in.readNBytes(header, got - z, 110 - (got - z));
                }
            }
            if (got < 110) {
                throw new InitramfsFormatException(source, "a cpio header is cut short (" + got + " of 110 bytes)");
            }
            String magic = new String(header, 0, 6, StandardCharsets.US_ASCII);
            if (!magic.equals("070701") && !magic.equals("070702")) {
                throw new InitramfsFormatException(source, "a cpio header has magic '" + printable(magic)
                        + "'; expected newc 070701/070702");
            }
            any = true;
            long mode = hex(header, 14);
            long fileSize = hex(header, 54);
            long nameSize = hex(header, 94);
            if (nameSize < 1 || nameSize > MAX_NAME_BYTES) {
                throw new InitramfsFormatException(source, "a cpio name size is " + nameSize + " (1.."
                        + MAX_NAME_BYTES + " allowed)");
            }
            byte[] nameBytes = readExactly(in, (int) nameSize);
            offset += 110 + nameSize;
            skip(in, pad4(offset));
            offset += pad4(offset);
            String name = new String(nameBytes, 0, (int) nameSize - 1, StandardCharsets.UTF_8);
            budget[0] -= 110 + nameSize + fileSize;
            if (budget[0] < 0) {
                throw new InitramfsFormatException(source, "more than " + (MAX_UNPACKED_BYTES >> 20)
                        + " MiB unpacked; refusing it as implausible");
            }
            if (name.equals("TRAILER!!!")) {
                skip(in, fileSize);
                return true;
            }
            long type = mode & 0170000;
            String target = null;
            if (type == 0120000) {
                if (fileSize > MAX_NAME_BYTES) {
                    throw new InitramfsFormatException(source, "symlink '" + printable(name) + "' has a "
                            + fileSize + "-byte target (at most " + MAX_NAME_BYTES + ")");
                }
                target = new String(readExactly(in, (int) fileSize), StandardCharsets.UTF_8);
            } else {
                skip(in, fileSize);
            }
            offset += fileSize;
            skip(in, pad4(offset));
            offset += pad4(offset);
            String path = normalize(name);
            if (!path.isEmpty()) {
                if (nodes.size() >= MAX_ENTRIES && !nodes.containsKey(path)) {
                    throw new InitramfsFormatException(source, "more than " + MAX_ENTRIES + " names");
                }
                nodes.put(path, new Node(type == 0040000 ? Type.DIRECTORY : type == 0120000 ? Type.SYMLINK : Type.OTHER, target));
            }
        }
    }

    private static String normalize(String name) {
        StringBuilder out = new StringBuilder();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(part);
        }
        return out.toString();
    }

    private static long pad4(long offset) {
        return (4 - offset % 4) % 4;
    }

    private long hex(byte[] h, int at) throws InitramfsFormatException {
        long v = 0;
        for (int i = at; i < at + 8; i++) {
            int d = Character.digit(h[i], 16);
            if (d < 0) {
                throw new InitramfsFormatException(source, "a cpio header field is not hexadecimal");
            }
            v = (v << 4) | d;
        }
        return v;
    }

    private byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new InitramfsFormatException(source, "the archive ends inside an entry");
        }
        return b;
    }

    private void skip(InputStream in, long n) throws IOException {
        try {
            in.skipNBytes(n);
        } catch (EOFException e) {
            throw new InitramfsFormatException(source, "the archive ends inside an entry");
        }
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
