package dev.cvmfde.server.provider.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes an ACPI CCEL table and its log area the way Linux exposes them in sysfs. */
final class CcelFixture {
    private CcelFixture() {
    }

    /** A well-formed 56-byte CCEL table (revision 1, CC type 3) with a correct checksum. */
    static byte[] table(long laml, long lasa) {
        ByteBuffer b = ByteBuffer.allocate(CcelTable.TABLE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put("CCEL".getBytes(StandardCharsets.US_ASCII));
        b.putInt(CcelTable.TABLE_BYTES);
        b.put((byte) 1); // revision
        b.put((byte) 0); // checksum, fixed below
        b.put("CVMFDE".getBytes(StandardCharsets.US_ASCII));
        b.put("TESTCCEL".getBytes(StandardCharsets.US_ASCII));
        b.putInt(1).putInt(0x54455354).putInt(1);
        b.put((byte) 3).put((byte) 0).putShort((short) 0);
        b.putLong(laml).putLong(lasa);
        byte[] t = b.array();
        fixChecksum(t);
        return t;
    }

    static void fixChecksum(byte[] t) {
        t[9] = 0;
        int sum = 0;
        for (byte x : t) {
            sum += x;
        }
        t[9] = (byte) -sum;
    }

    static void write(Path acpiRoot, byte[] table, byte[] log) throws IOException {
        Files.createDirectories(acpiRoot.resolve("data"));
        Files.write(acpiRoot.resolve("CCEL"), table);
        if (log != null) {
            Files.write(acpiRoot.resolve("data").resolve("CCEL"), log);
        }
    }

    /** A log area: some pseudo-events then 0xFF padding, as firmware leaves it. */
    static byte[] log(int laml) {
        byte[] log = new byte[laml];
        java.util.Arrays.fill(log, (byte) 0xff);
        for (int i = 0; i < Math.min(64, laml); i++) {
            log[i] = (byte) i;
        }
        return log;
    }
}
