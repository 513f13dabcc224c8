package dev.cvmfde.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.Curve;
import dev.cvmfde.protocol.release.EphemeralKeys;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MessagesTest {

    @Test
    void evidenceRequest_nonceNot64Bytes_refused() {
        assertThrows(IllegalArgumentException.class, () -> new EvidenceRequest(new byte[32]));
        assertThrows(IllegalArgumentException.class, () -> new EvidenceRequest(new byte[65]));
    }

    @Test
    void evidenceRequest_callerChangesArray_messageUnchanged() {
        byte[] nonce = SampleMessages.random(64);
        EvidenceRequest request = new EvidenceRequest(nonce);
        byte[] before = request.nonce();
        nonce[0] ^= 1;
        request.nonce()[1] ^= 1;
        assertEquals(new EvidenceRequest(before), request);
        assertNotSame(request.nonce(), request.nonce());
    }

    @Test
    void evidence_privateKey_refused() {
        assertThrows(IllegalArgumentException.class,
                () -> new Evidence(new byte[10], EphemeralKeys.generate(), "simulated"));
    }

    @Test
    void evidence_p521Key_refused() throws Exception {
        var p521 = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(Curve.P_521).generate().toPublicJWK();
        assertThrows(IllegalArgumentException.class, () -> new Evidence(new byte[10], p521, "simulated"));
    }

    @Test
    void evidence_sizesOutOfBounds_refused() {
        var key = SampleMessages.ephemeralPublic();
        assertThrows(IllegalArgumentException.class, () -> new Evidence(new byte[0], key, "tsm"));
        assertThrows(IllegalArgumentException.class,
                () -> new Evidence(new byte[WireLimits.MAX_TOKEN_BYTES + 1], key, "tsm"));
        assertThrows(IllegalArgumentException.class, () -> new Evidence(new byte[1],
                Optional.of(new byte[WireLimits.MAX_EVENT_LOG_BYTES + 1]), List.of(), key, "tsm"));
        assertThrows(IllegalArgumentException.class, () -> new Evidence(new byte[1], Optional.empty(),
                Collections.nCopies(WireLimits.MAX_CERT_CHAIN_LENGTH + 1, new byte[1]), key, "tsm"));
        assertThrows(IllegalArgumentException.class, () -> new Evidence(new byte[1], key, "Bad Provider"));
    }

    @Test
    void evidence_maximalSizes_fitTheEvidenceFrame() throws Exception {
        Evidence evidence = new Evidence(new byte[WireLimits.MAX_TOKEN_BYTES],
                Optional.of(new byte[WireLimits.MAX_EVENT_LOG_BYTES]),
                Collections.nCopies(WireLimits.MAX_CERT_CHAIN_LENGTH, new byte[WireLimits.MAX_CERT_BYTES]),
                SampleMessages.ephemeralPublic(), "a".repeat(WireLimits.MAX_PROVIDER_CHARS));
        assertTrue(MessageJson.encode(evidence).length <= WireLimits.MAX_EVIDENCE_FRAME_BYTES);
    }

    @Test
    void refusal_maximalStages_fitTheRefusalFrame() throws Exception {
        List<String> stages = new java.util.ArrayList<>();
        for (int i = 0; i < WireLimits.MAX_REFUSED_STAGES; i++) {
            stages.add(String.valueOf((char) ('a' + i)).repeat(WireLimits.MAX_STAGE_CHARS));
        }
        Refusal refusal = new Refusal(stages);
        assertTrue(MessageJson.encode(refusal).length <= WireLimits.MAX_REFUSAL_FRAME_BYTES);
    }

    @Test
    void ack_maximalDetail_fitsTheAckFrame() throws Exception {
        assertTrue(MessageJson.encode(new Ack(true, "\u20ac".repeat(WireLimits.MAX_TEXT_CHARS))).length
                <= WireLimits.MAX_ACK_FRAME_BYTES);
    }

    @Test
    void release_notCompactJws_refused() {
        assertThrows(IllegalArgumentException.class, () -> new Release("a.b"));
        assertThrows(IllegalArgumentException.class, () -> new Release("a.b.c.d.e"));
        assertThrows(IllegalArgumentException.class, () -> new Release("a b.c.d"));
        assertThrows(IllegalArgumentException.class,
                () -> new Release("a.b." + "c".repeat(WireLimits.MAX_RELEASE_JWS_CHARS)));
    }

    @Test
    void refusal_anythingButStageNames_refused() {
        assertThrows(IllegalArgumentException.class, () -> new Refusal(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Refusal(List.of("rim: expected 0a0b")));
        assertThrows(IllegalArgumentException.class, () -> new Refusal(List.of("0a0b0c0d")));
        assertThrows(IllegalArgumentException.class, () -> new Refusal(List.of("rim", "rim")));
        assertThrows(IllegalArgumentException.class, () -> new Refusal(List.of("x".repeat(WireLimits.MAX_STAGE_CHARS + 1))));
        assertEquals(List.of("rim", "boot-components"), Refusal.of(List.of("rim", "boot-components", "rim")).stages());
    }

    @Test
    void toString_evidenceRequest_showsOnlyNoncePrefix() {
        byte[] nonce = SampleMessages.random(64);
        String text = new EvidenceRequest(nonce).toString();
        assertFalse(text.contains(HexFormat.of().formatHex(nonce)));
    }
}
