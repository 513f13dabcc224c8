package dev.cvmfde.server.provider.internal;

import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceException.Kind;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads the confidential-computing event log the firmware left in memory: the ACPI CCEL table
 * (to learn and check the log area length) and the log area itself, as Linux (≥ 6.4) exposes them
 * under {@code /sys/firmware/acpi/tables/CCEL} and {@code …/data/CCEL}. The bytes are returned
 * raw; parsing and replay belong to reference-values. No table means no log (empty), not an error.
 */
public final class CcelReader {

    /** The table is 56 bytes; anything near this limit is not a CCEL table. */
    public static final int MAX_CCEL_TABLE_BYTES = 4096;
    /** Largest log area we read; typical firmware reserves 64 KiB to 1 MiB. */
    public static final int MAX_EVENT_LOG_BYTES = 4 * 1024 * 1024;

    private static final System.Logger LOG = System.getLogger(CcelReader.class.getName());

    private final Path acpiTablesRoot;
    private final String provider;

    public CcelReader(Path acpiTablesRoot, String provider) {
        this.acpiTablesRoot = acpiTablesRoot;
        this.provider = provider;
    }

    public Optional<byte[]> read() throws EvidenceException {
        Path tablePath = acpiTablesRoot.resolve("CCEL");
        byte[] tableBytes;
        try {
            tableBytes = Libc.readFile(tablePath, MAX_CCEL_TABLE_BYTES, "MAX_CCEL_TABLE_BYTES");
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                LOG.log(Level.INFO, "{0}: no ACPI CCEL table at {1}; evidence carries no event log",
                        provider, tablePath);
                return Optional.empty();
            }
            throw KernelErrors.toEvidenceException(provider, "reading the ACPI CCEL table", e);
        }
        CcelTable table = CcelTable.parse(tableBytes, provider);
        if (table.logAreaMinimumLength() > MAX_EVENT_LOG_BYTES) {
            throw new EvidenceException(Kind.TOO_LARGE, provider + ": the CCEL log area is "
                    + Long.toUnsignedString(table.logAreaMinimumLength()) + " bytes; at most "
                    + MAX_EVENT_LOG_BYTES + " (MAX_EVENT_LOG_BYTES) are read");
        }
        Path dataPath = acpiTablesRoot.resolve("data").resolve("CCEL");
        int laml = (int) table.logAreaMinimumLength();
        byte[] log;
        try {
            log = Libc.readFile(dataPath, laml, "the CCEL table's LAML");
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                throw new EvidenceException(Kind.UNAVAILABLE, provider + ": the ACPI CCEL table exists but "
                        + dataPath + " does not; the kernel lacks CCEL log support (Linux >= 6.4)", e);
            }
            throw KernelErrors.toEvidenceException(provider, "reading the CCEL event log", e);
        }
        if (log.length != laml) {
            throw new EvidenceException(Kind.MALFORMED, provider + ": " + dataPath + " has " + log.length
                    + " bytes; the CCEL table's LAML says " + laml);
        }
        return Optional.of(log);
    }
}
