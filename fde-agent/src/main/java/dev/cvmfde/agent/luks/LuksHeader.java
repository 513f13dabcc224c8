package dev.cvmfde.agent.luks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The two fields of a LUKS1/LUKS2 primary binary header the agent needs: the version and the
 * UUID. Both versions put the magic {@code "LUKS" 0xBA 0xBE} at offset 0, a big-endian u16
 * version at 6 and a NUL-padded 40-byte UUID at 168 (LUKS2 on-disk format §2, LUKS1 spec §2.4).
 */
public record LuksHeader(int version, String uuid) {
    /** Bytes read from each candidate device: the start of the binary header, nothing more. */
    public static final int HEADER_READ_BYTES = 512;
    static final byte[] MAGIC = {'L', 'U', 'K', 'S', (byte) 0xBA, (byte) 0xBE};
    static final int VERSION_OFFSET = 6;
    static final int UUID_OFFSET = 168;
    static final int UUID_BYTES = 40;

    /** The header at the start of {@code device}, or empty when it does not start with the LUKS magic. */
    public static Optional<LuksHeader> read(Path device) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(device)) {
            head = in.readNBytes(HEADER_READ_BYTES);
        }
        return parse(head);
    }

    static Optional<LuksHeader> parse(byte[] head) {
        if (head.length < UUID_OFFSET + UUID_BYTES || !Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return Optional.empty();
        }
        int version = ((head[VERSION_OFFSET] & 0xff) << 8) | (head[VERSION_OFFSET + 1] & 0xff);
        int end = UUID_OFFSET;
        while (end < UUID_OFFSET + UUID_BYTES && head[end] != 0) {
            end++;
        }
        String uuid = new String(head, UUID_OFFSET, end - UUID_OFFSET, StandardCharsets.US_ASCII).trim();
        return Optional.of(new LuksHeader(version, uuid));
    }
}
