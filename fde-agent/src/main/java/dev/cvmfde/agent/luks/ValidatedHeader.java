package dev.cvmfde.agent.luks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A LUKS2 header that passed {@link LuksHeaderCheck}, held in memory: both binary headers with
 * their JSON, and keyslot 0's area (encrypted key material; not secret without the passphrase).
 * {@link #writeCopy} puts exactly these bytes into a file for {@code cryptsetup --header}, so
 * what cryptsetup reads is what was validated, whatever the disk says by then.
 */
public final class ValidatedHeader {
    private final String uuid;
    private final byte[] metadata;
    private final long areaOffset;
    private final byte[] area;
    private final long headerEnd;
    private final LuksHeaderPin pin;

    ValidatedHeader(String uuid, byte[] metadata, long areaOffset, byte[] area, long headerEnd, LuksHeaderPin pin) {
        this.uuid = uuid;
        this.metadata = metadata;
        this.areaOffset = areaOffset;
        this.area = area;
        this.headerEnd = headerEnd;
        this.pin = pin;
    }

    public String uuid() {
        return uuid;
    }

    /** The pin it was validated against (the volume key must still match its fingerprint). */
    public LuksHeaderPin pin() {
        return pin;
    }

    /** Where the metadata and keyslot areas end ({@code 2 × hdr_size + keyslots_size}): the copy's length. */
    public long headerEnd() {
        return headerEnd;
    }

    /**
     * Writes the validated bytes to a new file {@code header.luks2} in a new private directory
     * under {@code dir} (a tmpfs such as {@code /run/cvm-fde} in the guest). The file is
     * {@link #headerEnd()} bytes long, sparse between the pieces (cryptsetup insists on the full
     * length). The caller deletes it ({@link #deleteCopy}) once the volume is open.
     */
    public Path writeCopy(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path own = Files.createTempDirectory(dir, "luks-header-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path file = own.resolve("header.luks2");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeFully(ch, metadata, 0);
            writeFully(ch, area, areaOffset);
            ch.truncate(headerEnd);
            if (ch.size() < headerEnd) {
                ch.write(ByteBuffer.wrap(new byte[1]), headerEnd - 1);
            }
        }
        return file;
    }

    /** Removes a copy {@link #writeCopy} made (the file and its private directory); quiet when already gone. */
    public static void deleteCopy(Path copy) {
        try {
            Files.deleteIfExists(copy);
            Files.deleteIfExists(copy.getParent());
        } catch (IOException e) {
            // a header copy holds nothing secret; a leftover in a tmpfs is harmless
        }
    }

    private static void writeFully(FileChannel ch, byte[] bytes, long position) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long pos = position;
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
    }

    @Override
    public String toString() {
        return "ValidatedHeader[" + uuid + ", " + pin + "]";
    }
}
