package dev.cvmfde.server.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RawEvidenceTest {

    @Test
    void constructor_inputsModifiedAfterwards_evidenceUnchanged() {
        byte[] token = {1, 2, 3};
        byte[] log = {4, 5};
        byte[] cert = {6};
        List<byte[]> chain = new ArrayList<>(List.of(cert));
        RawEvidence e = new RawEvidence("tsm:arm_cca_guest", token, Optional.of(log), chain);

        token[0] = 9;
        log[0] = 9;
        cert[0] = 9;
        chain.clear();

        assertArrayEquals(new byte[] {1, 2, 3}, e.token());
        assertArrayEquals(new byte[] {4, 5}, e.eventLog().orElseThrow());
        assertArrayEquals(new byte[] {6}, e.certificateChain().getFirst());
    }

    @Test
    void accessors_returnedArraysModified_evidenceUnchanged() {
        RawEvidence e = new RawEvidence("virtcca", new byte[] {1}, Optional.of(new byte[] {2}), List.of(new byte[] {3}));

        e.token()[0] = 9;
        e.eventLog().orElseThrow()[0] = 9;
        e.certificateChain().getFirst()[0] = 9;

        assertArrayEquals(new byte[] {1}, e.token());
        assertArrayEquals(new byte[] {2}, e.eventLog().orElseThrow());
        assertArrayEquals(new byte[] {3}, e.certificateChain().getFirst());
    }

    @Test
    void equals_sameContentDifferentArrays_equalWithSameHash() {
        RawEvidence a = new RawEvidence("virtcca", new byte[] {1}, Optional.empty(), List.of(new byte[] {3}));
        RawEvidence b = new RawEvidence("virtcca", new byte[] {1}, Optional.empty(), List.of(new byte[] {3}));
        RawEvidence c = new RawEvidence("virtcca", new byte[] {1}, Optional.of(new byte[0]), List.of(new byte[] {3}));

        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, c);
    }

    @Test
    void toString_anyEvidence_showsSizesNotBytes() {
        RawEvidence e = new RawEvidence("virtcca", new byte[] {0x41, 0x42}, Optional.empty(), List.of());

        assertEquals("RawEvidence[provider=virtcca, token=2 bytes, eventLog=none, certificateChain=0 entries]",
                e.toString());
        assertFalse(e.toString().contains("AB"));
    }

    @Test
    void constructor_emptyToken_throws() {
        assertThrows(IllegalArgumentException.class,
                () -> new RawEvidence("virtcca", new byte[0], Optional.empty(), List.of()));
    }
}
