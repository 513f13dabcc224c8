package dev.cvmfde.imagebuilder.partition.internal;

import dev.cvmfde.imagebuilder.partition.GptPartition;
import dev.cvmfde.imagebuilder.partition.GptTable;
import dev.cvmfde.imagebuilder.partition.TableWrite;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32;

/** Byte layout of GPT headers and entries (UEFI spec 2.10, section 5.3). */
public final class GptCodec {

    public static final byte[] SIGNATURE = "EFI PART".getBytes(StandardCharsets.US_ASCII);
    public static final int REVISION_1_0 = 0x00010000;
    public static final int HEADER_SIZE = 92;
    public static final int MIN_ENTRY_SIZE = 128;
    /** Largest entry size accepted (the spec allows 128 * 2^n). */
    public static final int MAX_ENTRY_SIZE = 1024;
    /** Largest entry array accepted: 1 MiB (the usual array is 16 KiB). */
    public static final int MAX_ENTRIES_BYTES = 1 << 20;
    public static final int MBR_BOOT_CODE = 446;

    private GptCodec() {}

    /** Checks partitions against the usable range, each other and the entry count. */
    public static void validateLayout(GptTable t) {
        int ss = t.sectorSize();
        if (ss != 512 && ss != 4096) {
            throw new IllegalArgumentException("sector size " + ss + "; 512 or 4096 are supported");
        }
        if (t.entrySize() < MIN_ENTRY_SIZE || t.entrySize() > MAX_ENTRY_SIZE || Integer.bitCount(t.entrySize()) != 1
                || t.entryCount() < 1 || (long) t.entryCount() * t.entrySize() > MAX_ENTRIES_BYTES) {
            throw new IllegalArgumentException("entry array of " + t.entryCount() + " x " + t.entrySize()
                    + " bytes; entries of 128 * 2^n up to " + MAX_ENTRY_SIZE + " bytes, at most " + MAX_ENTRIES_BYTES
                    + " bytes in all are allowed");
        }
        long firstAllowed = t.primaryEntriesLba() + t.entriesSectors();
        if (t.primaryEntriesLba() < 2 || t.firstUsableLba() < firstAllowed || t.lastUsableLba() < t.firstUsableLba()
                || t.lastUsableLba() >= t.backupEntriesLba()) {
            throw new IllegalArgumentException("usable LBAs " + t.firstUsableLba() + ".." + t.lastUsableLba()
                    + " must lie between the primary entries (ending at LBA " + (firstAllowed - 1)
                    + ") and the backup entries (at LBA " + t.backupEntriesLba() + ") of a " + t.diskSectors()
                    + "-sector disk");
        }
        if (t.mbrBootCode().length > MBR_BOOT_CODE) {
            throw new IllegalArgumentException("MBR boot code holds at most " + MBR_BOOT_CODE + " bytes");
        }
        GptPartition prev = null;
        for (GptPartition p : t.partitions()) {
            if (p.index() > t.entryCount()) {
                throw new IllegalArgumentException("partition " + p.index() + " exceeds the " + t.entryCount() + " entries");
            }
            if (p.firstLba() < t.firstUsableLba() || p.lastLba() > t.lastUsableLba()) {
                throw new IllegalArgumentException("partition " + p.index() + " (LBAs " + p.firstLba() + ".." + p.lastLba()
                        + ") lies outside the usable LBAs " + t.firstUsableLba() + ".." + t.lastUsableLba());
            }
            if (prev != null && prev.index() == p.index()) {
                throw new IllegalArgumentException("partition index " + p.index() + " appears twice");
            }
            prev = p;
        }
        List<GptPartition> byStart = t.partitions().stream()
                .sorted((a, b) -> Long.compare(a.firstLba(), b.firstLba())).toList();
        for (int i = 1; i < byStart.size(); i++) {
            if (byStart.get(i).firstLba() <= byStart.get(i - 1).lastLba()) {
                throw new IllegalArgumentException("partitions " + byStart.get(i - 1).index() + " and "
                        + byStart.get(i).index() + " overlap");
            }
        }
    }

    public static List<TableWrite> encode(GptTable t) {
        int ss = t.sectorSize();
        byte[] entries = encodeEntries(t);
        int entriesCrc = crc(entries, 0, t.entryCount() * t.entrySize());
        long backupHeader = t.diskSectors() - 1;
        List<TableWrite> out = new ArrayList<>();
        out.add(new TableWrite(0, protectiveMbr(t)));
        out.add(new TableWrite(ss, header(t, 1, backupHeader, t.primaryEntriesLba(), entriesCrc)));
        out.add(new TableWrite(t.primaryEntriesLba() * ss, entries));
        out.add(new TableWrite(t.backupEntriesLba() * ss, entries));
        out.add(new TableWrite(backupHeader * ss, header(t, backupHeader, 1, t.backupEntriesLba(), entriesCrc)));
        return out;
    }

    private static byte[] encodeEntries(GptTable t) {
        ByteBuffer b = ByteBuffer.allocate((int) (t.entriesSectors() * t.sectorSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (GptPartition p : t.partitions()) {
            int at = (p.index() - 1) * t.entrySize();
            putGuid(b, at, p.typeGuid());
            putGuid(b, at + 16, p.uniqueGuid());
            b.putLong(at + 32, p.firstLba()).putLong(at + 40, p.lastLba()).putLong(at + 48, p.attributes());
            byte[] name = p.name().getBytes(StandardCharsets.UTF_16LE);
            b.put(at + 56, name);
        }
        return b.array();
    }

    private static byte[] header(GptTable t, long myLba, long alternateLba, long entriesLba, int entriesCrc) {
        ByteBuffer h = ByteBuffer.allocate(t.sectorSize()).order(ByteOrder.LITTLE_ENDIAN);
        h.put(SIGNATURE).putInt(REVISION_1_0).putInt(HEADER_SIZE).putInt(0).putInt(0);
        h.putLong(myLba).putLong(alternateLba).putLong(t.firstUsableLba()).putLong(t.lastUsableLba());
        putGuid(h, 56, t.diskGuid());
        h.putLong(72, entriesLba).putInt(80, t.entryCount()).putInt(84, t.entrySize()).putInt(88, entriesCrc);
        h.putInt(16, crc(h.array(), 0, HEADER_SIZE));
        return h.array();
    }

    private static byte[] protectiveMbr(GptTable t) {
        ByteBuffer m = ByteBuffer.allocate(t.sectorSize()).order(ByteOrder.LITTLE_ENDIAN);
        m.put(0, t.mbrBootCode());
        for (int i = 446; i < 510; i++) {
            m.put(i, (byte) 0);
        }
        m.put(446 + 1, (byte) 0x00).put(446 + 2, (byte) 0x02).put(446 + 3, (byte) 0x00);
        m.put(446 + 4, (byte) 0xEE);
        long sectors = Math.min(t.diskSectors() - 1, 0xFFFFFFFFL);
        putChs(m, 446 + 5, sectors);
        m.putInt(446 + 8, 1);
        m.putInt(446 + 12, (int) sectors);
        m.put(510, (byte) 0x55).put(511, (byte) 0xAA);
        return m.array();
    }

    /** CHS of {@code lba} in the conventional 255-head, 63-sector geometry; 0xFFFFFF beyond cylinder 1023. */
    private static void putChs(ByteBuffer m, int at, long lba) {
        long cylinder = lba / (255 * 63);
        if (cylinder > 1023) {
            m.put(at, (byte) 0xFF).put(at + 1, (byte) 0xFF).put(at + 2, (byte) 0xFF);
            return;
        }
        long head = lba % (255 * 63) / 63;
        long sector = lba % 63 + 1;
        m.put(at, (byte) head).put(at + 1, (byte) (sector | ((cylinder >> 2) & 0xC0))).put(at + 2, (byte) cylinder);
    }

    /** CRC-32 (IEEE, as zlib) of {@code b[from, from + len)}. */
    public static int crc(byte[] b, int from, int len) {
        CRC32 c = new CRC32();
        c.update(b, from, len);
        return (int) c.getValue();
    }

    /** GUIDs store their first three fields little-endian, the last eight bytes as they are. */
    public static UUID getGuid(ByteBuffer b, int at) {
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long d1 = Integer.toUnsignedLong(le.getInt(at));
        long d2 = le.getShort(at + 4) & 0xffffL;
        long d3 = le.getShort(at + 6) & 0xffffL;
        long msb = (d1 << 32) | (d2 << 16) | d3;
        long lsb = b.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(at + 8);
        return new UUID(msb, lsb);
    }

    static void putGuid(ByteBuffer b, int at, UUID u) {
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long msb = u.getMostSignificantBits();
        le.putInt(at, (int) (msb >>> 32)).putShort(at + 4, (short) (msb >>> 16)).putShort(at + 6, (short) msb);
        b.duplicate().order(ByteOrder.BIG_ENDIAN).putLong(at + 8, u.getLeastSignificantBits());
    }

    /** Decodes a UTF-16LE name of up to 72 bytes, stopping at the first NUL. */
    public static String getName(ByteBuffer b, int at) {
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < GptPartition.MAX_NAME_CHARS; i++) {
            char c = le.getChar(at + 2 * i);
            if (c == 0) {
                break;
            }
            s.append(c);
        }
        return s.toString();
    }
}
