package dev.cvmfde.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The TPM evidence round: credential-challenge and credential-response (docs/tpm-evidence.md). */
class CredentialMessagesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void decode_credentialChallengeWhileGuestAwaitsRequest_unexpectedType() throws Exception {
        byte[] body = MessageJson.encode(new CredentialChallenge(new byte[68], new byte[256]));
        WireException e = assertThrows(WireException.class, () -> MessageJson.decode(body,
                Expect.GUEST_AWAITING_REQUEST));
        assertInstanceOf(WireError.UnexpectedType.class, e.error());
    }

    @Test
    void decode_credentialChallengeAfterNonTpmEvidence_unexpectedType() throws Exception {
        byte[] body = MessageJson.encode(new CredentialChallenge(new byte[68], new byte[256]));
        assertThrows(WireException.class, () -> MessageJson.decode(body, Expect.GUEST_AWAITING_VERDICT));
        assertInstanceOf(CredentialChallenge.class, MessageJson.decode(body,
                Expect.GUEST_AWAITING_CHALLENGE_OR_VERDICT));
    }

    @Test
    void decode_responseSecretOver64Bytes_invalidMessage() throws Exception {
        ObjectNode node = (ObjectNode) JSON.readTree(MessageJson.encode(new CredentialResponse(new byte[32])));
        node.put("secret", java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[65]));
        WireException e = assertThrows(WireException.class, () -> MessageJson.decode(JSON.writeValueAsBytes(node),
                Expect.HOST_AWAITING_CREDENTIAL));
        assertInstanceOf(WireError.InvalidMessage.class, e.error());
    }

    @Test
    void decode_challengeWithExtraMember_invalidMessage() throws Exception {
        ObjectNode node = (ObjectNode) JSON.readTree(MessageJson.encode(new CredentialChallenge(new byte[8],
                new byte[8])));
        node.put("akName", "x");
        assertThrows(WireException.class, () -> MessageJson.decode(JSON.writeValueAsBytes(node),
                Expect.GUEST_AWAITING_CHALLENGE_OR_VERDICT));
    }

    @Test
    void challenge_blobOverLimit_refused() {
        assertThrows(IllegalArgumentException.class, () -> new CredentialChallenge(
                new byte[WireLimits.MAX_CREDENTIAL_BYTES + 1], new byte[8]));
        assertThrows(IllegalArgumentException.class, () -> new CredentialChallenge(new byte[8], new byte[0]));
    }

    @Test
    void response_toString_hidesSecret() {
        byte[] secret = new byte[32];
        java.util.Arrays.fill(secret, (byte) 0xab);
        String text = new CredentialResponse(secret).toString();
        assertFalse(text.contains(HexFormat.of().formatHex(secret, 0, 4)), text);
        assertTrue(text.contains("32 bytes"), text);
    }

    @Test
    void maxFrame_credentialTypes_fitTheirLargestMessages() throws Exception {
        byte[] body = MessageJson.encode(new CredentialChallenge(new byte[WireLimits.MAX_CREDENTIAL_BYTES],
                new byte[WireLimits.MAX_CREDENTIAL_BYTES]));
        assertTrue(body.length <= MessageType.CREDENTIAL_CHALLENGE.maxFrameBytes(), body.length + " B");
        assertEquals(MessageType.CREDENTIAL_RESPONSE, MessageJson.decode(MessageJson.encode(new CredentialResponse(
                new byte[64])), Expect.HOST_AWAITING_CREDENTIAL).type());
    }
}
