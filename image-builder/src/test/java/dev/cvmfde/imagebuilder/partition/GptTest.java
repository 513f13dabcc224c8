package dev.cvmfde.imagebuilder.partition;

import static dev.cvmfde.imagebuilder.testsupport.Tools.ok;
import static dev.cvmfde.imagebuilder.testsupport.Tools.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.imagebuilder.disk.VirtualDisk;
import dev.cvmfde.imagebuilder.disk.VirtualDisks;
import dev.cvmfde.imagebuilder.partition.PartitionTableException.Check;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GPTs made by sgdisk parse to what sgdisk reports; GPTs we modify pass sgdisk --verify. */
class GptTest {

    static final long SIZE = 64L << 20;

    @TempDir
    Path dir;

    /** A disk laid out like the guest images: p1 EFI/boot, p2 Linux root to the end. */
    private Path sgdiskDisk(String name) throws Exception {
        Path p = dir.resolve(name);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ch.write(ByteBuffer.allocate(1), SIZE - 1);
        }
        ok("sgdisk", "-n", "1:2048:+16M", "-t", "1:ef00", "-c", "1:boot", "-n", "2:0:0", "-t", "2:8300",
                "-c", "2:root", p.toString());
        return p;
    }

    private static GptTable read(Path p) throws IOException {
        try (VirtualDisk d = VirtualDisks.open(p)) {
            return PartitionTables.readGpt(d);
        }
    }

    private static String field(String info, String label) {
        Matcher m = Pattern.compile(Pattern.quote(label) + ":\\s*(\\S+)").matcher(info);
        assertTrue(m.find(), label + " in\n" + info);
        return m.group(1);
    }

    @Test
    void read_sgdiskTable_matchesSgdiskInfo() throws Exception {
        Path disk = sgdiskDisk("disk.raw");
        GptTable t = read(disk);
        assertEquals(2, t.partitions().size());
        for (GptPartition p : t.partitions()) {
            String info = ok("sgdisk", "-i", String.valueOf(p.index()), disk.toString());
            assertEquals(field(info, "Partition GUID code"), p.typeGuid().toString().toUpperCase(Locale.ROOT));
            assertEquals(field(info, "Partition unique GUID"), p.uniqueGuid().toString().toUpperCase(Locale.ROOT));
            assertEquals(Long.parseLong(field(info, "First sector")), p.firstLba());
            assertEquals(Long.parseLong(field(info, "Last sector")), p.lastLba());
            assertTrue(info.contains("Partition name: '" + p.name() + "'"), info);
        }
        assertEquals(UUID.fromString("C12A7328-F81F-11D2-BA4B-00A0C93EC93B"), t.partition(1).orElseThrow().typeGuid());
        String print = ok("sgdisk", "-p", disk.toString());
        assertTrue(print.contains("Disk identifier (GUID): " + t.diskGuid().toString().toUpperCase(Locale.ROOT)), print);
        assertEquals(SIZE / 512, t.diskSectors());
    }

    @Test
    void resizedTo_grownDiskAndPartition_passesSgdiskVerify() throws Exception {
        Path disk = sgdiskDisk("grow.raw");
        long grownSize = SIZE + (16L << 20);
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1), grownSize - 1);
        }
        GptTable before = read(disk); // the backup still sits at the old end
        assertEquals(SIZE / 512, before.diskSectors());
        GptTable resized = before.resizedTo(grownSize);
        GptPartition root = resized.partition(2).orElseThrow();
        GptTable grown = resized.withPartition(root.withLastLba(resized.lastUsableLba()));
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.WRITE)) {
            TableWrite.writeAll(grown.encode(), ch);
        }
        String verify = ok("sgdisk", "-v", disk.toString());
        assertTrue(verify.contains("No problems found"), verify);
        String info = ok("sgdisk", "-i", "2", disk.toString());
        assertEquals(grownSize / 512 - 34, Long.parseLong(field(info, "Last sector")));
        GptTable again = read(disk);
        assertEquals(grown.partitions(), again.partitions());
        assertEquals(grownSize / 512, again.diskSectors());
    }

    @Test
    void encode_unchangedTable_isByteIdenticalToSgdisk() throws Exception {
        Path disk = sgdiskDisk("same.raw");
        String sha = sha256(disk);
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.WRITE)) {
            TableWrite.writeAll(read(disk).encode(), ch);
        }
        assertEquals(sha, sha256(disk));
    }

    @Test
    void withPartition_overlapping_rejected() throws Exception {
        GptTable t = read(sgdiskDisk("overlap.raw"));
        GptPartition p1 = t.partition(1).orElseThrow();
        assertThrows(IllegalArgumentException.class,
                () -> t.withPartition(p1.withLastLba(t.partition(2).orElseThrow().firstLba())));
    }

    private void assertCorruptionNamed(long offset, Check expected) throws Exception {
        Path disk = sgdiskDisk("corrupt.raw");
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (b.get(0) ^ 0x5a)}), offset);
        }
        String before = sha256(disk);
        var e = assertThrows(PartitionTableException.class, () -> read(disk));
        assertEquals(expected, e.check());
        assertEquals(before, sha256(disk), "reading never writes");
    }

    @Test
    void read_primaryHeaderCrcWrong_namesPrimaryHeaderCrc() throws Exception {
        assertCorruptionNamed(512 + 60, Check.PRIMARY_HEADER_CRC); // inside the disk GUID
    }

    @Test
    void read_primaryEntriesCrcWrong_namesPrimaryEntriesCrc() throws Exception {
        assertCorruptionNamed(1024 + 56, Check.PRIMARY_ENTRIES_CRC); // first letter of p1's name
    }

    @Test
    void read_backupHeaderCrcWrong_namesBackupHeaderCrc() throws Exception {
        assertCorruptionNamed(SIZE - 512 + 60, Check.BACKUP_HEADER_CRC);
    }

    @Test
    void read_backupEntriesCrcWrong_namesBackupEntriesCrc() throws Exception {
        assertCorruptionNamed(SIZE - 33 * 512 + 56, Check.BACKUP_ENTRIES_CRC);
    }

    @Test
    void read_mbrDisk_returnsPrimaryEntries() throws Exception {
        Path disk = sgdiskDisk("mbr.raw");
        GptTable gpt = read(disk);
        ok("sgdisk", "--gpttombr=1:2", disk.toString());
        PartitionTable t;
        try (VirtualDisk d = VirtualDisks.open(disk)) {
            t = PartitionTables.read(d);
        }
        MbrTable mbr = assertInstanceOf(MbrTable.class, t);
        assertEquals(2, mbr.partitions().size());
        for (int i = 1; i <= 2; i++) {
            MbrPartition m = mbr.partition(i).orElseThrow();
            GptPartition g = gpt.partition(i).orElseThrow();
            assertEquals(g.firstLba(), m.firstLba());
            assertEquals(g.lastLba(), m.lastLba());
        }
        assertEquals(0xEF, mbr.partition(1).orElseThrow().type());
        assertEquals(0x83, mbr.partition(2).orElseThrow().type());
    }

    @Test
    void slice_partitionOfQcow2_readsThePartitionBytes() throws Exception {
        Path disk = sgdiskDisk("slice.raw");
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("root-marker".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                    read(disk).partition(2).orElseThrow().firstLba() * 512 + 1000);
        }
        Path q = dir.resolve("slice.qcow2");
        ok("qemu-img", "convert", "-f", "raw", "-O", "qcow2", disk.toString(), q.toString());
        try (VirtualDisk d = VirtualDisks.open(q)) {
            GptTable t = PartitionTables.readGpt(d);
            GptPartition root = t.partition(2).orElseThrow();
            VirtualDisk part = VirtualDisks.slice(d, t.offsetOf(root), t.lengthOf(root));
            ByteBuffer b = ByteBuffer.allocate(11);
            part.read(1000, b);
            assertEquals("root-marker", new String(b.array(), java.nio.charset.StandardCharsets.US_ASCII));
            var extent = part.nextDataExtent(0).orElseThrow();
            assertTrue(extent.offset() <= 1000 && extent.end() <= part.size(), extent.toString());
        }
    }

    @Test
    void read_qcow2Disk_sameTableAsRaw() throws Exception {
        Path disk = sgdiskDisk("q.raw");
        Path q = dir.resolve("q.qcow2");
        ok("qemu-img", "convert", "-f", "raw", "-O", "qcow2", disk.toString(), q.toString());
        assertEquals(read(disk).partitions(), read(q).partitions());
    }
}
