package dev.cvmfde.server.provider.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceException.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without a virtCCA device: the failure paths, through the real FFM open/ioctl calls. */
class VirtCcaProviderTest {
    @TempDir
    Path tmp;

    @Test
    void collect_noDevice_failsUnavailableNamingDeviceAndAlternatives() {
        VirtCcaProvider provider = new VirtCcaProvider(tmp.resolve("tsi"), tmp);

        EvidenceException e = assertThrows(EvidenceException.class, () -> provider.collect(new byte[64]));

        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("not a virtCCA guest"), e.getMessage());
        assertTrue(e.getMessage().contains("--provider tsm or simulated"), e.getMessage());
    }

    @Test
    void collect_deviceIsNotTsiDriver_failsUnavailableWithEnotty() throws Exception {
        Path notADevice = Files.write(tmp.resolve("tsi"), new byte[16]);
        VirtCcaProvider provider = new VirtCcaProvider(notADevice, tmp);

        EvidenceException e = assertThrows(EvidenceException.class, () -> provider.collect(new byte[64]));

        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("ENOTTY"), e.getMessage());
        assertTrue(e.getMessage().contains("TMM_GET_ATTESTATION_TOKEN"), e.getMessage());
    }

    @Test
    void collect_devNull_failsWithoutCrashing() {
        VirtCcaProvider provider = new VirtCcaProvider(Path.of("/dev/null"), tmp);

        EvidenceException e = assertThrows(EvidenceException.class, () -> provider.collect(new byte[64]));

        assertEquals(Kind.UNAVAILABLE, e.kind());
    }

    @Test
    void collect_challengeOf65Bytes_failsInvalidChallenge() {
        VirtCcaProvider provider = new VirtCcaProvider(tmp.resolve("tsi"), tmp);

        EvidenceException e = assertThrows(EvidenceException.class, () -> provider.collect(new byte[65]));

        assertEquals(Kind.INVALID_CHALLENGE, e.kind());
    }
}
