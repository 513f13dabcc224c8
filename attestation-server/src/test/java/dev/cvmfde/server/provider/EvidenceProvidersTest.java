package dev.cvmfde.server.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.server.provider.EvidenceException.Kind;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EvidenceProvidersTest {
    @TempDir
    Path tmp;

    private ProviderOptions options() {
        return ProviderOptions.defaults()
                .withTsmReportRoot(tmp.resolve("tsm/report"))
                .withTsiDevice(tmp.resolve("tsi"))
                .withAcpiTablesRoot(tmp.resolve("acpi"));
    }

    @Test
    void byName_knownNames_returnProviderWithThatName() throws Exception {
        for (String name : EvidenceProviders.NAMES) {
            assertEquals(name, EvidenceProviders.byName(name, options()).name());
        }
    }

    @Test
    void byName_unknownName_failsUnknownProviderListingKnownOnes() {
        EvidenceException e = assertThrows(EvidenceException.class,
                () -> EvidenceProviders.byName("sgx", options()));

        assertEquals(Kind.UNKNOWN_PROVIDER, e.kind());
        assertTrue(e.getMessage().contains("tsm, virtcca"), e.getMessage());
    }

    @Test
    void byName_null_failsUnknownProvider() {
        assertEquals(Kind.UNKNOWN_PROVIDER,
                assertThrows(EvidenceException.class, () -> EvidenceProviders.byName(null, options())).kind());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 32, 63, 65, 128})
    void collect_challengeNot64Bytes_failsInvalidChallengeForEveryProvider(int size) throws Exception {
        for (String name : EvidenceProviders.NAMES) {
            EvidenceProvider provider = EvidenceProviders.byName(name, options());
            EvidenceException e = assertThrows(EvidenceException.class, () -> provider.collect(new byte[size]));
            assertEquals(Kind.INVALID_CHALLENGE, e.kind(), name);
        }
    }

    @Test
    void collect_nullChallenge_failsInvalidChallenge() throws Exception {
        EvidenceProvider provider = EvidenceProviders.byName("tsm", options());
        assertEquals(Kind.INVALID_CHALLENGE, assertThrows(EvidenceException.class, () -> provider.collect(null)).kind());
    }

    @Test
    void collect_tsmOnMachineWithoutConfigfsTsm_failsUnavailable() throws Exception {
        EvidenceProvider provider = EvidenceProviders.byName("tsm", options());
        assertEquals(Kind.UNAVAILABLE, assertThrows(EvidenceException.class, () -> provider.collect(new byte[64])).kind());
    }

    @Test
    void collect_virtccaWithoutDevice_failsUnavailable() throws Exception {
        EvidenceProvider provider = EvidenceProviders.byName("virtcca", options());
        assertEquals(Kind.UNAVAILABLE, assertThrows(EvidenceException.class, () -> provider.collect(new byte[64])).kind());
    }
}
