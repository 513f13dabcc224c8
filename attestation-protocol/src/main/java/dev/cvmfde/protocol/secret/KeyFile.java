package dev.cvmfde.protocol.secret;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;

/**
 * A LUKS keyslot passphrase file, the key this system releases. Like cryptsetup's
 * {@code --key-file}, the passphrase is the file's bytes exactly as stored. Two forms are
 * accepted: raw binary (virtCCA's 32 random bytes) and IBM's DEK form (base64 on one line,
 * 32–512 characters, no whitespace or newline anywhere, since cryptsetup would make them part
 * of the passphrase).
 */
public record KeyFile(Form form, SecretBytes passphrase) implements AutoCloseable {

    /** The two key-file forms. */
    public enum Form { RAW, BASE64_LINE }

    /** Smallest raw key we accept: below 128 bits a key file is a mistake, not a key. */
    public static final int MIN_RAW_BYTES = 16;
    /** Largest key file read (cryptsetup's default limit is 8 MiB; ours need far less). */
    public static final int MAX_KEY_FILE_BYTES = 8192;
    /** IBM's documented bounds for a DEK file: base64 on one line, 32 to 512 characters. */
    public static final int MIN_BASE64_CHARS = 32;
    public static final int MAX_BASE64_CHARS = 512;

    public KeyFile {
        if (form == null || passphrase == null) {
            throw new IllegalArgumentException("form and passphrase are required");
        }
    }

    /** Size of the keys this system generates: 256 bits, as virtCCA's reference does. */
    public static final int GENERATED_KEY_BYTES = 32;

    /** A new random raw key file (32 bytes). */
    public static KeyFile generateRaw(SecureRandom random) {
        byte[] key = new byte[GENERATED_KEY_BYTES];
        random.nextBytes(key);
        return new KeyFile(Form.RAW, SecretBytes.takeOwnership(key));
    }

    /** A new random DEK in IBM's form: 32 random bytes, base64 on one line (44 characters). */
    public static KeyFile generateDek(SecureRandom random) {
        byte[] key = new byte[GENERATED_KEY_BYTES];
        random.nextBytes(key);
        byte[] text = Base64.getEncoder().encode(key);
        Arrays.fill(key, (byte) 0);
        return new KeyFile(Form.BASE64_LINE, SecretBytes.takeOwnership(text));
    }

    /**
     * Writes the key file with owner-only permissions (0600). Refuses to overwrite an existing
     * file: replacing a key file can make a disk unrecoverable.
     */
    public void writeNew(Path path) throws KeyFileException {
        Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
        try (SeekableByteChannel out = Files.newByteChannel(path,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(ownerOnly))) {
            passphrase.use(bytes -> {
                try {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                    return null;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (FileAlreadyExistsException e) {
            throw new KeyFileException("key file " + path + " already exists; not overwriting a key");
        } catch (IOException | UncheckedIOException e) {
            throw new KeyFileException("cannot write key file " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a key file in either form; text files are held to the IBM DEK rules. A file that its
     * group or others may read is refused ({@link KeyFileModeException}), as ssh refuses such a key.
     */
    public static KeyFile read(Path path) throws KeyFileException {
        byte[] content = readBounded(path);
        if (looksLikeText(content)) {
            return parseDek(content, path);
        }
        if (content.length < MIN_RAW_BYTES) {
            int length = content.length;
            Arrays.fill(content, (byte) 0);
            throw new KeyFileException("key file " + path + " holds " + length + " bytes; at least "
                    + MIN_RAW_BYTES + " are required");
        }
        return new KeyFile(Form.RAW, SecretBytes.takeOwnership(content));
    }

    /** Reads a DEK file, which must be in IBM's base64 form (and mode 0600 or stricter, as {@link #read}). */
    public static KeyFile readDek(Path path) throws KeyFileException {
        return parseDek(readBounded(path), path);
    }

    /** Validates in-memory key-file bytes in IBM's DEK form; takes ownership of {@code content}. */
    public static KeyFile parseDek(byte[] content, Path origin) throws KeyFileException {
        try {
            validateDek(content, origin);
        } catch (KeyFileException e) {
            Arrays.fill(content, (byte) 0);
            throw e;
        }
        return new KeyFile(Form.BASE64_LINE, SecretBytes.takeOwnership(content));
    }

    private static void validateDek(byte[] content, Path origin) throws KeyFileException {
        String where = origin == null ? "DEK" : "DEK file " + origin;
        for (int i = 0; i < content.length; i++) {
            byte b = content[i];
            if (b == '\n' || b == '\r') {
                throw new KeyFileException(where + " has a line break at character " + (i + 1)
                        + (i == content.length - 1 ? " (a trailing newline; cryptsetup would take it as part of the key;"
                                + " write the file with printf '%s', not echo)" : "")
                        + "; it must be base64 on a single line with no newline");
            }
            if (b == ' ' || b == '\t') {
                throw new KeyFileException(where + " has whitespace at character " + (i + 1)
                        + "; it must be base64 with no spaces");
            }
            if (!isBase64Char(b)) {
                throw new KeyFileException(where + " has a character that is not base64 at position " + (i + 1)
                        + "; only A-Z a-z 0-9 + / and trailing = are allowed");
            }
        }
        if (content.length < MIN_BASE64_CHARS || content.length > MAX_BASE64_CHARS) {
            throw new KeyFileException(where + " holds " + content.length + " base64 characters; "
                    + MIN_BASE64_CHARS + " to " + MAX_BASE64_CHARS + " are allowed");
        }
        byte[] decoded = null;
        try {
            decoded = Base64.getDecoder().decode(content);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(where + " is not valid base64 (bad padding or length)");
        } finally {
            if (decoded != null) {
                Arrays.fill(decoded, (byte) 0);
            }
        }
    }

    private static boolean isBase64Char(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')
                || b == '+' || b == '/' || b == '=';
    }

    /** Printable ASCII (plus CR/LF/TAB) throughout: a text file, not random bytes. */
    private static boolean looksLikeText(byte[] content) {
        if (content.length == 0) {
            return true;
        }
        for (byte b : content) {
            boolean printable = b >= 0x20 && b < 0x7f;
            if (!printable && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    private static byte[] readBounded(Path path) throws KeyFileException {
        try {
            if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(path)) {
                throw new KeyFileException("key file " + path + " is not a regular file");
            }
            KeyFileMode.requireOwnerOnly(path, "key file");
            try (InputStream in = Files.newInputStream(path)) {
                byte[] content = in.readNBytes(MAX_KEY_FILE_BYTES + 1);
                if (content.length > MAX_KEY_FILE_BYTES) {
                    Arrays.fill(content, (byte) 0);
                    throw new KeyFileException("key file " + path + " is larger than " + MAX_KEY_FILE_BYTES
                            + " bytes; a key file holds a key, not data");
                }
                if (content.length == 0) {
                    throw new KeyFileException("key file " + path + " is empty");
                }
                return content;
            }
        } catch (NoSuchFileException e) {
            throw new KeyFileException("key file " + path + " does not exist");
        } catch (IOException e) {
            throw new KeyFileException("cannot read key file " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        passphrase.close();
    }

    @Override
    public String toString() {
        return "KeyFile[" + form + ", " + passphrase + "]";
    }
}
