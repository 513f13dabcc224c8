package dev.cvmfde.imagebuilder.testsupport;

import dev.cvmfde.imagebuilder.disk.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a virtual disk's content as read through our readers, in large chunks. */
public final class DiskBytes {
    private DiskBytes() {}

    public static String sha256(VirtualDisk disk, int chunk) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocateDirect(chunk);
            for (long pos = 0; pos < disk.size(); pos += chunk) {
                int n = (int) Math.min(chunk, disk.size() - pos);
                buf.clear().limit(n);
                disk.read(pos, buf);
                md.update(buf.flip());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
