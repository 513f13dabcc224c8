package dev.cvmfde.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cvmfde.protocol.release.EphemeralKeys;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MessageJsonTest {
    private static final Expect ANY = new Expect(EnumSet.allOf(MessageType.class));
    private static final ObjectMapper JSON = new ObjectMapper();

    static java.util.List<Message> messages() {
        return SampleMessages.all();
    }

    @ParameterizedTest
    @MethodSource("messages")
    void decode_encodedMessage_equalsOriginal(Message message) throws Exception {
        byte[] body = MessageJson.encode(message);
        assertEquals(message, MessageJson.decode(body, ANY));
        ObjectNode node = (ObjectNode) JSON.readTree(body);
        assertEquals(message.type().wireName(), node.get("type").textValue());
        assertEquals(1, node.get("version").intValue());
    }

    @Test
    void encode_evidenceRequest_nonceIsUnpaddedBase64Url() throws Exception {
        EvidenceRequest request = new EvidenceRequest(SampleMessages.random(64));
        ObjectNode node = (ObjectNode) JSON.readTree(MessageJson.encode(request));
        String nonce = node.get("nonce").textValue();
        assertEquals(86, nonce.length());
        assertTrue(nonce.matches("[A-Za-z0-9_-]+"));
    }

    @Test
    void decode_wrongVersion_namesBothVersions() throws Exception {
        WireError error = decodeError("{\"type\":\"ack\",\"version\":2,\"unlocked\":true,\"detail\":\"\"}");
        WireError.UnsupportedVersion version = assertInstanceOf(WireError.UnsupportedVersion.class, error);
        assertEquals(1, version.supported());
        assertEquals("2", version.received());
    }

    @Test
    void decode_missingVersion_unsupportedVersion() throws Exception {
        assertInstanceOf(WireError.UnsupportedVersion.class,
                decodeError("{\"type\":\"ack\",\"unlocked\":true,\"detail\":\"\"}"));
    }

    @Test
    void decode_unknownType_unknownTypeError() throws Exception {
        WireError error = decodeError("{\"type\":\"launch-missiles\",\"version\":1}");
        assertEquals("launch-missiles", assertInstanceOf(WireError.UnknownType.class, error).received());
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "{\"type\":", "[1,2]", "\"ack\"", "{} {}", "{\"type\":\"ack\",\"type\":\"ack\"}"})
    void decode_garbage_malformed(String body) {
        assertInstanceOf(WireError.Malformed.class, decodeError(body));
    }

    @Test
    void decode_invalidUtf8_malformed() {
        byte[] body = {'{', '"', (byte) 0xc3, (byte) 0x28, '"', ':', '1', '}'};
        WireException e = assertThrows(WireException.class, () -> MessageJson.decode(body, ANY));
        assertInstanceOf(WireError.Malformed.class, e.error());
    }

    @Test
    void decode_deepNesting_malformedNotStackOverflow() {
        String deep = "{\"type\":\"ack\",\"version\":1,\"detail\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertInstanceOf(WireError.Malformed.class, decodeError(deep));
    }

    @Test
    void decode_unknownMember_refused() {
        WireError error = decodeError("{\"type\":\"ack\",\"version\":1,\"unlocked\":true,\"detail\":\"\",\"extra\":1}");
        assertEquals(MessageType.ACK, assertInstanceOf(WireError.InvalidMessage.class, error).type());
    }

    @Test
    void decode_typeNotExpectedNow_unexpectedType() throws Exception {
        byte[] body = MessageJson.encode(new Ack(true, "ok"));
        WireException e = assertThrows(WireException.class,
                () -> MessageJson.decode(body, Expect.GUEST_AWAITING_REQUEST));
        WireError.UnexpectedType unexpected = assertInstanceOf(WireError.UnexpectedType.class, e.error());
        assertEquals(MessageType.ACK, unexpected.received());
    }

    @Test
    void decode_nonceOf63Bytes_invalidMessage() {
        String nonce = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[63]);
        WireError error = decodeError("{\"type\":\"evidence-request\",\"version\":1,\"nonce\":\"" + nonce + "\"}");
        assertEquals(MessageType.EVIDENCE_REQUEST, assertInstanceOf(WireError.InvalidMessage.class, error).type());
    }

    @Test
    void decode_paddedBase64Nonce_invalidMessage() {
        String nonce = java.util.Base64.getUrlEncoder().encodeToString(new byte[64]);
        assertInstanceOf(WireError.InvalidMessage.class,
                decodeError("{\"type\":\"evidence-request\",\"version\":1,\"nonce\":\"" + nonce + "\"}"));
    }

    @Test
    void decode_evidenceWithPrivateJwk_invalidMessage() throws Exception {
        Evidence evidence = new Evidence(SampleMessages.random(100), SampleMessages.ephemeralPublic(), "simulated");
        ObjectNode node = (ObjectNode) JSON.readTree(MessageJson.encode(evidence));
        node.set("ephemeralKey", JSON.readTree(EphemeralKeys.generate().toJSONString()));
        WireError error = decodeError(node.toString());
        WireError.InvalidMessage invalid = assertInstanceOf(WireError.InvalidMessage.class, error);
        assertTrue(invalid.detail().contains("(d)"), invalid.detail());
    }

    @Test
    void decode_evidenceWithKeyOffCurve_invalidMessage() throws Exception {
        Evidence evidence = new Evidence(SampleMessages.random(100), SampleMessages.ephemeralPublic(), "simulated");
        ObjectNode node = (ObjectNode) JSON.readTree(MessageJson.encode(evidence));
        ObjectNode jwk = (ObjectNode) node.get("ephemeralKey");
        String y = jwk.get("y").textValue();
        jwk.put("y", (y.charAt(0) == 'A' ? "B" : "A") + y.substring(1));
        assertInstanceOf(WireError.InvalidMessage.class, decodeError(node.toString()));
    }

    @Test
    void decode_ackFrameOverItsOwnLimit_oversized() {
        String padding = " ".repeat(MessageType.ACK.maxFrameBytes());
        String body = "{\"type\":\"ack\",\"version\":1,\"unlocked\":true,\"detail\":\"\"" + padding + "}";
        WireError.Oversized oversized = assertInstanceOf(WireError.Oversized.class, decodeError(body));
        assertEquals(MessageType.ACK.maxFrameBytes(), oversized.limit());
    }

    @Test
    void decode_refusalWithControlCharacter_invalidMessage() {
        String body = "{\"type\":\"refusal\",\"version\":1,\"stages\":[\"rim\\u001b[2J\"]}";
        assertInstanceOf(WireError.InvalidMessage.class, decodeError(body));
    }

    @Test
    void decode_refusalWithDetails_invalidMessage() {
        String body = "{\"type\":\"refusal\",\"version\":1,\"reasons\":[{\"check\":\"rim\",\"message\":\"expected 0a0b\"}]}";
        assertInstanceOf(WireError.InvalidMessage.class, decodeError(body));
    }

    @Test
    void decode_refusalStageCarryingADigest_invalidMessage() {
        String digest = "5a1e".repeat(8);
        String body = "{\"type\":\"refusal\",\"version\":1,\"stages\":[\"rim-" + digest + "\"]}";
        assertInstanceOf(WireError.InvalidMessage.class, decodeError(body));
    }

    private static WireError decodeError(String body) {
        WireException e = assertThrows(WireException.class,
                () -> MessageJson.decode(body.getBytes(StandardCharsets.UTF_8), ANY));
        return e.error();
    }
}
