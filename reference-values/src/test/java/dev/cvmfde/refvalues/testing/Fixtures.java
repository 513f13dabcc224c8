package dev.cvmfde.refvalues.testing;

import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventLog;
import dev.cvmfde.refvalues.eventlog.EventLogHeader;
import dev.cvmfde.refvalues.eventlog.EventLogWriter;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.eventlog.SpecIdEvent;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Test inputs generated under a temporary directory: boot directories and hand-made log bytes. */
public final class Fixtures {
    private Fixtures() {
    }

    /** A copy of the image zero-padded to a multiple of 8 bytes, as a signing tool leaves it. */
    public static Path aligned(Path file, Path dir) throws Exception {
        byte[] b = Files.readAllBytes(file);
        Path out = Files.createDirectories(dir).resolve(file.getFileName() + ".aligned");
        Files.write(out, Arrays.copyOf(b, (b.length + 7) & ~7));
        return out;
    }

    /**
     * An aarch64-style boot partition: a real EFI binary as EFI/debian/grubx64.efi, grub/grub.cfg,
     * and per version a gzip'd vmlinuz-V and an initramfs-V.img of random bytes.
     */
    public static Path bootDir(Path root, String... versions) throws Exception {
        Path efi = Files.createDirectories(root.resolve("EFI/debian"));
        Files.copy(aligned(Tools.vector("measure", "systemd-bootx64.efi"), root.getParent().resolve("scratch")),
                efi.resolve("grubx64.efi"));
        Files.createDirectories(root.resolve("grub"));
        Files.writeString(root.resolve("grub/grub.cfg"), "set timeout=0\nmenuentry 'x' {\n linux /vmlinuz-"
                + versions[0] + " root=/dev/mapper/encroot ro\n initrd /initramfs-" + versions[0] + ".img\n}\n");
        Random r = new Random(7);
        for (String v : versions) {
            byte[] kernel = new byte[3 << 20];
            r.nextBytes(kernel);
            Arrays.fill(kernel, 0, 1 << 20, (byte) 0x41);
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(root.resolve("vmlinuz-" + v)))) {
                out.write(kernel);
            }
            byte[] initrd = new byte[1 << 20];
            r.nextBytes(initrd);
            Files.write(root.resolve("initramfs-" + v + ".img"), initrd);
        }
        return root;
    }

    /** The bytes of a log header declaring sha256 only. */
    public static byte[] sha256Header() throws Exception {
        return EventLogWriter.toBytes(new EventLog(LogFormat.TCG2,
                new EventLogHeader(0, SpecIdEvent.of(List.of(DigestAlgorithm.SHA256))), List.of()));
    }

    /** A sha256 header and one event written field by field, so that fields may lie. */
    public static byte[] withEvent(int index, int type, int count, int alg, int digestLen, long size, int dataLen)
            throws Exception {
        byte[] h = sha256Header();
        ByteBuffer b = ByteBuffer.allocate(h.length + 16 + digestLen + 4 + dataLen).order(ByteOrder.LITTLE_ENDIAN);
        b.put(h).putInt(index).putInt(type).putInt(count).putShort((short) alg).put(new byte[digestLen])
                .putInt((int) size).put(new byte[dataLen]);
        return Arrays.copyOf(b.array(), b.position());
    }
}
