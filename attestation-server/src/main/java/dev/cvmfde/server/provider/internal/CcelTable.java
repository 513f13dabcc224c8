package dev.cvmfde.server.provider.internal;

import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceException.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The ACPI "CC Event Log" table (ACPI 6.5 §5.2.34): the standard 36-byte description header, then
 * CC type (u8), CC subtype (u8), reserved (u16), log area minimum length LAML (u64) and log area
 * start address LASA (u64), little endian, 56 bytes in all. Only what the provider needs is
 * checked: signature, length, checksum, and a usable log area.
 *
 * @param ccType 1 SEV, 2 TDX in the UEFI CC measurement protocol; other values (CCA, virtCCA) are
 *     passed on, not judged here
 */
public record CcelTable(int length, int revision, int ccType, int ccSubType, long logAreaMinimumLength,
        long logAreaStartAddress) {

    public static final int HEADER_BYTES = 36;
    public static final int TABLE_BYTES = 56;
    private static final byte[] SIGNATURE = "CCEL".getBytes(StandardCharsets.US_ASCII);

    /** Parses and checks a table read from {@code /sys/firmware/acpi/tables/CCEL}. */
    public static CcelTable parse(byte[] table, String provider) throws EvidenceException {
        if (table.length < TABLE_BYTES) {
            throw malformed(provider, "has " + table.length + " bytes; a CCEL table has at least " + TABLE_BYTES);
        }
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (table[i] != SIGNATURE[i]) {
                throw malformed(provider, "signature is not \"CCEL\"");
            }
        }
        ByteBuffer b = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
        long length = Integer.toUnsignedLong(b.getInt(4));
        if (length != table.length) {
            throw malformed(provider, "header length field says " + length + " bytes but the table has "
                    + table.length);
        }
        int sum = 0;
        for (byte x : table) {
            sum += x;
        }
        if ((sum & 0xff) != 0) {
            throw malformed(provider, "checksum does not add up: the byte sum is 0x"
                    + Integer.toHexString(sum & 0xff) + ", expected 0x0");
        }
        long laml = b.getLong(40);
        long lasa = b.getLong(48);
        if (laml <= 0) {
            throw malformed(provider, "log area minimum length (LAML) is " + Long.toUnsignedString(laml)
                    + "; it must be positive");
        }
        if (lasa == 0) {
            throw malformed(provider, "log area start address (LASA) is 0");
        }
        return new CcelTable((int) length, table[8] & 0xff, table[36] & 0xff, table[37] & 0xff, laml, lasa);
    }

    private static EvidenceException malformed(String provider, String what) {
        return new EvidenceException(Kind.MALFORMED, provider + ": ACPI CCEL table " + what
                + "; the firmware's event-log table is broken, report it to the platform provider");
    }
}
