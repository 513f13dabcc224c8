package dev.cvmfde.server.provider.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceException.Kind;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CcelReaderTest {
    @TempDir
    Path acpi;

    private CcelReader reader() {
        return new CcelReader(acpi, "test");
    }

    @Test
    void read_noTable_returnsEmpty() throws Exception {
        assertTrue(reader().read().isEmpty());
    }

    @Test
    void read_validTableAndLog_returnsLogBytes() throws Exception {
        byte[] log = CcelFixture.log(65536);
        CcelFixture.write(acpi, CcelFixture.table(65536, 0x7fff0000L), log);

        assertArrayEquals(log, reader().read().orElseThrow());
    }

    @Test
    void parse_validTable_exposesFields() throws Exception {
        CcelTable t = CcelTable.parse(CcelFixture.table(4096, 0x1234000L), "test");

        assertEquals(56, t.length());
        assertEquals(3, t.ccType());
        assertEquals(4096, t.logAreaMinimumLength());
        assertEquals(0x1234000L, t.logAreaStartAddress());
    }

    @Test
    void read_badSignature_failsMalformed() throws Exception {
        byte[] table = CcelFixture.table(4096, 1);
        table[0] = 'X';
        CcelFixture.fixChecksum(table);
        CcelFixture.write(acpi, table, CcelFixture.log(4096));

        assertEquals(Kind.MALFORMED, assertThrows(EvidenceException.class, () -> reader().read()).kind());
    }

    @Test
    void read_badChecksum_failsMalformed() throws Exception {
        byte[] table = CcelFixture.table(4096, 1);
        table[20] ^= 1;
        CcelFixture.write(acpi, table, CcelFixture.log(4096));

        EvidenceException e = assertThrows(EvidenceException.class, () -> reader().read());
        assertEquals(Kind.MALFORMED, e.kind());
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void read_lengthFieldDisagrees_failsMalformed() throws Exception {
        byte[] table = CcelFixture.table(4096, 1);
        table[4] = 60;
        CcelFixture.fixChecksum(table);
        CcelFixture.write(acpi, table, CcelFixture.log(4096));

        assertEquals(Kind.MALFORMED, assertThrows(EvidenceException.class, () -> reader().read()).kind());
    }

    @Test
    void read_truncatedTable_failsMalformed() throws Exception {
        CcelFixture.write(acpi, new byte[40], CcelFixture.log(4096));

        assertEquals(Kind.MALFORMED, assertThrows(EvidenceException.class, () -> reader().read()).kind());
    }

    @Test
    void read_zeroLaml_failsMalformed() throws Exception {
        CcelFixture.write(acpi, CcelFixture.table(0, 1), new byte[0]);

        assertEquals(Kind.MALFORMED, assertThrows(EvidenceException.class, () -> reader().read()).kind());
    }

    @Test
    void read_lamlOverLimit_failsTooLargeWithoutReadingLog() throws Exception {
        CcelFixture.write(acpi, CcelFixture.table(CcelReader.MAX_EVENT_LOG_BYTES + 1L, 1), null);

        EvidenceException e = assertThrows(EvidenceException.class, () -> reader().read());
        assertEquals(Kind.TOO_LARGE, e.kind());
        assertTrue(e.getMessage().contains("MAX_EVENT_LOG_BYTES"), e.getMessage());
    }

    @Test
    void read_logShorterThanLaml_failsMalformed() throws Exception {
        CcelFixture.write(acpi, CcelFixture.table(4096, 1), CcelFixture.log(4000));

        assertEquals(Kind.MALFORMED, assertThrows(EvidenceException.class, () -> reader().read()).kind());
    }

    @Test
    void read_logLongerThanLaml_failsTooLarge() throws Exception {
        CcelFixture.write(acpi, CcelFixture.table(4096, 1), CcelFixture.log(5000));

        assertEquals(Kind.TOO_LARGE, assertThrows(EvidenceException.class, () -> reader().read()).kind());
    }

    @Test
    void read_tableWithoutLogData_failsUnavailable() throws Exception {
        CcelFixture.write(acpi, CcelFixture.table(4096, 1), null);

        assertEquals(Kind.UNAVAILABLE, assertThrows(EvidenceException.class, () -> reader().read()).kind());
    }
}
