package dev.cvmfde.server.provider.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceException.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KernelErrorsTest {

    @ParameterizedTest
    @CsvSource({
        "1, PERMISSION_DENIED", "13, PERMISSION_DENIED",
        "2, UNAVAILABLE", "6, UNAVAILABLE", "19, UNAVAILABLE", "25, UNAVAILABLE", "20, UNAVAILABLE",
        "16, BUSY", "11, BUSY",
        "22, REJECTED", "5, REJECTED", "14, REJECTED",
        "27, TOO_LARGE",
        "12, IO", "28, IO", "99, IO",
    })
    void kindOf_errno_mapsToKind(int errno, Kind expected) {
        assertEquals(expected, KernelErrors.kindOf(errno));
    }

    @Test
    void toEvidenceException_ebusy_namesProviderStepErrnoAndAdvice() {
        ErrnoException cause = new ErrnoException(Errno.EBUSY, "write", "/sys/kernel/config/tsm/report/x/inblob");

        EvidenceException e = KernelErrors.toEvidenceException("tsm", "writing inblob", cause);

        assertEquals(Kind.BUSY, e.kind());
        assertSame(cause, e.getCause());
        assertTrue(e.getMessage().startsWith("tsm: writing inblob failed"), e.getMessage());
        assertTrue(e.getMessage().contains("EBUSY"), e.getMessage());
        assertTrue(e.getMessage().contains("only one attestation agent"), e.getMessage());
    }

    @Test
    void name_unknownErrno_printsNumber() {
        assertEquals("errno 99", Errno.name(99));
        assertEquals("EFBIG", Errno.name(Errno.EFBIG));
    }
}
