package dev.cvmfde.agent.luks;

import dev.cvmfde.agent.luks.internal.Luks2Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Reads and validates the LUKS2 header at the start of a device against the {@link LuksHeaderPin}
 * the image builder recorded, as cryptsetup would read it and more strictly: both binary headers
 * (magic, version, size, offset, SHA-256 checksum over the whole copy, UUID), the same sequence
 * id and byte-identical JSON in both copies, then the JSON area field by field. Reads are bounded
 * by the pinned metadata size and {@link #MAX_KEYSLOT_AREA_BYTES}; nothing the disk says decides
 * how much is read before it was checked against the pin.
 *
 * <pre>{@code
 * ValidatedHeader header = LuksHeaderCheck.read(device, config.luksUuid(), pin);   // or HeaderRefusedException
 * Path copy = header.writeCopy(Path.of("/run/cvm-fde"));   // cryptsetup open --header <copy> …
 * }</pre>
 */
public final class LuksHeaderCheck {
    /** Largest keyslot area read (one 512-bit key × 4000 AF stripes is 250 KiB). */
    public static final int MAX_KEYSLOT_AREA_BYTES = 1 << 20;
    static final int BINARY_HEADER_BYTES = 4096;
    private static final byte[] MAGIC_PRIMARY = {'L', 'U', 'K', 'S', (byte) 0xba, (byte) 0xbe};
    private static final byte[] MAGIC_SECONDARY = {'S', 'K', 'U', 'L', (byte) 0xba, (byte) 0xbe};
    private static final int OFF_VERSION = 6;
    private static final int OFF_HDR_SIZE = 8;
    private static final int OFF_SEQID = 16;
    private static final int OFF_CHECKSUM_ALG = 72;
    private static final int OFF_UUID = 168;
    private static final int OFF_HDR_OFFSET = 256;
    private static final int OFF_CSUM = 448;
    private static final int CSUM_FIELD_BYTES = 64;
    private static final int SHA256_BYTES = 32;

    private LuksHeaderCheck() {
    }

    /** The header of {@code device}, validated against {@code pin} and {@code uuid}. */
    public static ValidatedHeader read(Path device, String uuid, LuksHeaderPin pin) throws HeaderRefusedException, IOException {
        try (FileChannel ch = FileChannel.open(device, StandardOpenOption.READ)) {
            byte[] first = readAt(ch, 0, BINARY_HEADER_BYTES, "binary header");
            if (!Arrays.equals(first, 0, 6, MAGIC_PRIMARY, 0, 6)) {
                throw new HeaderRefusedException("magic", "the device does not start with the LUKS magic");
            }
            int version = u16(first, OFF_VERSION);
            if (version != 2) {
                throw HeaderRefusedException.mismatch("version", 2, version);
            }
            long hdrSize = u64(first, OFF_HDR_SIZE);
            if (hdrSize != pin.metadataBytes()) {
                throw HeaderRefusedException.mismatch("hdr_size", pin.metadataBytes(), hdrSize);
            }
            int size = pin.metadataBytes();
            byte[] metadata = readAt(ch, 0, 2 * size, "both header copies");
            byte[] primary = Arrays.copyOfRange(metadata, 0, size);
            byte[] secondary = Arrays.copyOfRange(metadata, size, 2 * size);
            checkBinary(primary, "primary", MAGIC_PRIMARY, 0, size, uuid);
            checkBinary(secondary, "secondary", MAGIC_SECONDARY, size, size, uuid);
            if (u64(primary, OFF_SEQID) != u64(secondary, OFF_SEQID)) {
                throw HeaderRefusedException.mismatch("secondary.seqid", "the primary's " + u64(primary, OFF_SEQID),
                        u64(secondary, OFF_SEQID));
            }
            if (!Arrays.equals(primary, BINARY_HEADER_BYTES, size, secondary, BINARY_HEADER_BYTES, size)) {
                throw new HeaderRefusedException("secondary.json", "the secondary header's JSON area differs from the primary's");
            }
            Luks2Json.Layout layout = Luks2Json.check(Arrays.copyOfRange(primary, BINARY_HEADER_BYTES, size), pin);
            if (layout.areaSize() > MAX_KEYSLOT_AREA_BYTES) {
                throw HeaderRefusedException.mismatch("keyslots.0.area.size", "at most " + MAX_KEYSLOT_AREA_BYTES,
                        layout.areaSize());
            }
            byte[] area = readAt(ch, layout.areaOffset(), (int) layout.areaSize(), "keyslot 0 area");
            return new ValidatedHeader(uuid, metadata, layout.areaOffset(), area, layout.headerEnd(), pin);
        }
    }

    private static void checkBinary(byte[] hdr, String which, byte[] magic, long offset, int size, String uuid)
            throws HeaderRefusedException {
        if (!Arrays.equals(hdr, 0, 6, magic, 0, 6)) {
            throw new HeaderRefusedException(which + ".magic", "not the LUKS2 " + which + " header magic");
        }
        if (u16(hdr, OFF_VERSION) != 2) {
            throw HeaderRefusedException.mismatch(which + ".version", 2, u16(hdr, OFF_VERSION));
        }
        if (u64(hdr, OFF_HDR_SIZE) != size) {
            throw HeaderRefusedException.mismatch(which + ".hdr_size", size, u64(hdr, OFF_HDR_SIZE));
        }
        if (u64(hdr, OFF_HDR_OFFSET) != offset) {
            throw HeaderRefusedException.mismatch(which + ".hdr_offset", offset, u64(hdr, OFF_HDR_OFFSET));
        }
        String alg = cString(hdr, OFF_CHECKSUM_ALG, 32);
        if (!alg.equals("sha256")) {
            throw HeaderRefusedException.mismatch(which + ".checksum_alg", "sha256", "'" + alg + "'");
        }
        byte[] copy = hdr.clone();
        Arrays.fill(copy, OFF_CSUM, OFF_CSUM + CSUM_FIELD_BYTES, (byte) 0);
        byte[] want = sha256(copy);
        boolean tailZero = true;
        for (int i = OFF_CSUM + SHA256_BYTES; i < OFF_CSUM + CSUM_FIELD_BYTES; i++) {
            tailZero &= hdr[i] == 0;
        }
        if (!MessageDigest.isEqual(want, Arrays.copyOfRange(hdr, OFF_CSUM, OFF_CSUM + SHA256_BYTES)) || !tailZero) {
            throw new HeaderRefusedException(which + ".csum", "the SHA-256 checksum does not match the header's bytes");
        }
        String got = cString(hdr, OFF_UUID, 40);
        if (!got.equalsIgnoreCase(uuid)) {
            throw HeaderRefusedException.mismatch(which + ".uuid", uuid, "'" + got + "'");
        }
    }

    private static byte[] readAt(FileChannel ch, long position, int length, String what) throws IOException, HeaderRefusedException {
        ByteBuffer b = ByteBuffer.allocate(length);
        long pos = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new HeaderRefusedException("size", "the device ends at byte " + pos + ", inside the " + what
                        + " (bytes " + position + " to " + (position + length) + ")");
            }
            pos += n;
        }
        return b.array();
    }

    private static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    private static long u64(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 8).getLong();
    }

    private static String cString(byte[] b, int off, int max) {
        int end = off;
        while (end < off + max && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.US_ASCII).replaceAll("\\p{Cntrl}", "?");
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    }
}
