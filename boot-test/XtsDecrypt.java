import dev.cvmfde.imagebuilder.luks.internal.XtsStreamer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * boot-test/host-run.sh only (no kernel, no device-mapper): decrypts the aes-xts-plain64 payload of
 * a LUKS volume file with its volume key, so the host can check the file system inside.
 * Run with the source launcher on image-builder's class path:
 * {@code java -cp image-builder/target/image-builder.jar XtsDecrypt.java VOLUME_KEY_FILE SECTOR OFFSET IN OUT}.
 * Uses image-builder's own XTS streamer (plain64 IVs in 512-byte units), so it shows the volume key
 * fits the payload; the independent proof is the comparison the script makes afterwards (the
 * decrypted bytes equal the unencrypted sample guest's root partition, e2fsck, debugfs). The key
 * bytes are zeroed after use and never printed. OUT must not exist.
 */
public final class XtsDecrypt {
    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: XtsDecrypt VOLUME_KEY_FILE SECTOR_SIZE PAYLOAD_OFFSET IN OUT");
            System.exit(2);
        }
        dev.cvmfde.protocol.secret.KeyFileMode.requireOwnerOnly(Path.of(args[0]), "volume key file");
        byte[] key = Files.readAllBytes(Path.of(args[0]));
        int sector = Integer.parseInt(args[1]);
        long offset = Long.parseLong(args[2]);
        try (FileChannel in = FileChannel.open(Path.of(args[3]), StandardOpenOption.READ);
             FileChannel out = FileChannel.open(Path.of(args[4]), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             XtsStreamer xts = new XtsStreamer(key, sector, false)) {
            long payload = in.size() - offset;
            if (offset < 0 || payload <= 0 || payload % sector != 0) {
                throw new IllegalArgumentException("payload of " + payload + " bytes at offset " + offset
                        + " is not a positive number of " + sector + "-byte sectors");
            }
            in.position(offset);
            xts.run(in, payload, payload, out, 0, null);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }
}
