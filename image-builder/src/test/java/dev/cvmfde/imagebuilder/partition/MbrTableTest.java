package dev.cvmfde.imagebuilder.partition;

import static dev.cvmfde.imagebuilder.testsupport.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.imagebuilder.disk.VirtualDisk;
import dev.cvmfde.imagebuilder.disk.VirtualDisks;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MBR edits checked against sfdisk, which made the table. */
class MbrTableTest {
    @TempDir
    Path dir;

    @Test
    void encode_unchangedTable_sameSectorBytes() throws Exception {
        Path raw = sfdiskDisk();
        byte[] sector0 = sector0(raw);
        assertArrayEquals(sector0, table(raw).encode(sector0).bytes());
    }

    @Test
    void encode_grownAndAddedPartition_sfdiskReadsThemAndVerifiesClean() throws Exception {
        Path raw = sfdiskDisk();
        MbrTable t = table(raw);
        MbrPartition p2 = t.partition(2).orElseThrow();
        MbrTable grown = t.withPartition(new MbrPartition(2, false, 0x83, p2.firstLba(), p2.sectors() + 2048))
                .withPartition(new MbrPartition(3, false, 0x83, p2.lastLba() + 4096, 2048));
        try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.WRITE)) {
            TableWrite.writeAll(java.util.List.of(grown.encode(sector0(raw))), ch);
        }
        assertTrue(ok("sfdisk", "-V", raw.toString()).contains("No errors detected"));
        String dump = ok("sfdisk", "-d", raw.toString());
        assertTrue(dump.contains("start=        4096, size=        6144, type=83"), dump);
        assertTrue(dump.contains("type=83") && dump.contains("label-id: 0x12345678"), dump);
        assertEquals(3, table(raw).partitions().size());
    }

    @Test
    void withPartition_overlapOrBeyond32Bits_refused() throws Exception {
        MbrTable t = table(sfdiskDisk());
        assertThrows(IllegalArgumentException.class, () -> t.withPartition(new MbrPartition(3, false, 0x83, 4000, 100)));
        assertThrows(IllegalArgumentException.class,
                () -> t.withPartition(new MbrPartition(3, false, 0x83, MbrTable.MAX_SECTORS, 2)));
    }

    private Path sfdiskDisk() throws Exception {
        Path raw = dir.resolve("mbr.raw");
        Files.deleteIfExists(raw);
        try (var f = new java.io.RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(16L << 20);
        }
        Path script = Files.writeString(dir.resolve("layout.sfdisk"),
                "label: dos\nlabel-id: 0x12345678\nunit: sectors\nstart=2048, size=2048, type=c, bootable\n"
                        + "start=4096, size=4096, type=83\n");
        ok("sh", "-c", "sfdisk -q " + raw + " < " + script);
        return raw;
    }

    private static MbrTable table(Path raw) throws Exception {
        try (VirtualDisk d = VirtualDisks.open(raw)) {
            return (MbrTable) PartitionTables.read(d);
        }
    }

    private static byte[] sector0(Path raw) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(512);
        try (FileChannel ch = FileChannel.open(raw)) {
            ch.read(b, 0);
        }
        return b.array();
    }
}
