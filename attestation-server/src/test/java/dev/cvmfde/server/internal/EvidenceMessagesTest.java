package dev.cvmfde.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cvmfde.protocol.release.EphemeralKeys;
import dev.cvmfde.protocol.wire.WireLimits;
import dev.cvmfde.server.provider.RawEvidence;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EvidenceMessagesTest {

    @Test
    void wireProviderName_tsmKernelProvider_colonBecomesDot() {
        assertEquals("tsm.arm_cca_guest", EvidenceMessages.wireProviderName("tsm:arm_cca_guest"));
        assertEquals("virtcca", EvidenceMessages.wireProviderName("virtcca"));
        assertEquals("simulated", EvidenceMessages.wireProviderName("simulated"));
    }

    @Test
    void wireProviderName_oddInput_fitsTheWirePattern() {
        assertEquals("tsm.weird-name-", EvidenceMessages.wireProviderName("TSM:Weird Name!"));
        assertEquals(WireLimits.MAX_PROVIDER_CHARS, EvidenceMessages.wireProviderName("x".repeat(100)).length());
        assertEquals("unknown", EvidenceMessages.wireProviderName("::"));
    }

    @Test
    void toWire_eventLogOverWireLimit_refusedWithTheLimit() {
        RawEvidence raw = new RawEvidence("tsm:arm_cca_guest", new byte[] {1},
                Optional.of(new byte[WireLimits.MAX_EVENT_LOG_BYTES + 1]), List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EvidenceMessages.toWire(raw, EphemeralKeys.generate().toPublicJWK()));
        assertEquals(true, e.getMessage().contains("eventLog"), e.getMessage());
    }
}
