package dev.cvmfde.refvalues.measure.internal;

import dev.cvmfde.refvalues.measure.MeasureException;
import dev.cvmfde.refvalues.measure.MeasureException.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The Authenticode image hash of a PE/COFF file (PE32 and PE32+), as in Microsoft's
 * "Windows Authenticode Portable Executable Signature Format": the headers without the
 * CheckSum field and the Certificate Table directory entry, the sections in file order, then any
 * trailing data except the certificate table. Every offset is checked against the file length.
 */
public final class PeImage {
    /** PE/COFF allows at most 96 sections. */
    public static final int MAX_SECTIONS = 96;
    private static final int PE32_MAGIC = 0x10B;
    private static final int PE32_PLUS_MAGIC = 0x20B;
    private static final int CERT_TABLE_DIRECTORY = 4;

    private final ByteBuffer buf;

    private PeImage(byte[] image) {
        this.buf = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Hashes {@code image} into {@code md} (which must be fresh) and returns the digest. */
    public static byte[] authenticodeHash(byte[] image, MessageDigest md) throws MeasureException {
        return new PeImage(image).hash(md);
    }

    private byte[] hash(MessageDigest md) throws MeasureException {
        int len = buf.capacity();
        if (len < 0x40 || u16(0) != 0x5A4D) {
            throw bad("DOS header: expected 'MZ' at offset 0");
        }
        long peOff = u32(0x3C);
        if (peOff + 24 > len) {
            throw bad("e_lfanew: PE header offset " + peOff + " lies beyond the file (" + len + " bytes)");
        }
        int pe = (int) peOff;
        if (u32(pe) != 0x00004550L) {
            throw bad("PE signature: expected 'PE\\0\\0' at offset " + pe);
        }
        int sections = u16(pe + 6);
        int optSize = u16(pe + 20);
        int opt = pe + 24;
        if (sections > MAX_SECTIONS) {
            throw bad("NumberOfSections: " + sections + "; at most " + MAX_SECTIONS + " are allowed");
        }
        check(opt + 2 <= len, "optional header: starts beyond the file");
        int magic = u16(opt);
        boolean plus = switch (magic) {
            case PE32_MAGIC -> false;
            case PE32_PLUS_MAGIC -> true;
            default -> throw bad("optional header magic: expected 0x10b or 0x20b; got 0x" + Integer.toHexString(magic));
        };
        int numDirsOff = opt + (plus ? 108 : 92);
        int dirs = opt + (plus ? 112 : 96);
        check(numDirsOff + 4 <= opt + optSize && numDirsOff + 4 <= len,
                "SizeOfOptionalHeader: " + optSize + " is too small for a " + (plus ? "PE32+" : "PE32") + " header");
        long numDirs = u32(numDirsOff);
        check(numDirs <= 16 && dirs + numDirs * 8 <= opt + optSize,
                "NumberOfRvaAndSizes: " + numDirs + " directories do not fit the optional header");
        int checksum = opt + 64;
        long sizeOfHeaders = u32(opt + 60);
        int sectionTable = opt + optSize;
        check(sectionTable + (long) sections * 40 <= len, "section table: extends beyond the file");
        check(sizeOfHeaders <= len && sizeOfHeaders >= sectionTable + (long) sections * 40,
                "SizeOfHeaders: " + sizeOfHeaders + " is outside the file or smaller than the headers");

        long certOff = 0;
        long certSize = 0;
        if (numDirs > CERT_TABLE_DIRECTORY) {
            int certDir = dirs + CERT_TABLE_DIRECTORY * 8;
            md.update(buf.array(), 0, checksum);
            md.update(buf.array(), checksum + 4, certDir - (checksum + 4));
            md.update(buf.array(), certDir + 8, (int) sizeOfHeaders - (certDir + 8));
            certOff = u32(certDir);
            certSize = u32(certDir + 4);
            check(certSize == 0 || (certOff >= sizeOfHeaders && certOff + certSize <= len),
                    "certificate table: offset " + certOff + " size " + certSize + " lies outside the file");
        } else {
            md.update(buf.array(), 0, checksum);
            md.update(buf.array(), checksum + 4, (int) sizeOfHeaders - (checksum + 4));
        }
        long hashed = sizeOfHeaders + hashSections(md, sectionTable, sections, len);
        long trailing = len - certSize - hashed;
        if (trailing > 0) {
            md.update(buf.array(), (int) hashed, (int) trailing);
        }
        return md.digest();
    }

    private long hashSections(MessageDigest md, int table, int count, int len) throws MeasureException {
        record Section(long offset, long size) { }
        List<Section> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int s = table + i * 40;
            long rawSize = u32(s + 16);
            long rawPtr = u32(s + 20);
            if (rawSize == 0) {
                continue;
            }
            check(rawPtr + rawSize <= len, "section " + i + ": raw data at " + rawPtr + " size " + rawSize
                    + " extends beyond the file (" + len + " bytes)");
            list.add(new Section(rawPtr, rawSize));
        }
        list.sort(Comparator.comparingLong(Section::offset));
        long sum = 0;
        for (Section s : list) {
            md.update(buf.array(), (int) s.offset(), (int) s.size());
            sum += s.size();
        }
        return sum;
    }

    private int u16(int off) throws MeasureException {
        check(off >= 0 && off + 2 <= buf.capacity(), "field at offset " + off + " lies beyond the file");
        return Short.toUnsignedInt(buf.getShort(off));
    }

    private long u32(int off) throws MeasureException {
        check(off >= 0 && off + 4 <= buf.capacity(), "field at offset " + off + " lies beyond the file");
        return Integer.toUnsignedLong(buf.getInt(off));
    }

    private static void check(boolean ok, String what) throws MeasureException {
        if (!ok) {
            throw bad(what);
        }
    }

    private static MeasureException bad(String what) {
        return new MeasureException(Kind.PE_MALFORMED, "PE image: " + what);
    }
}
