package dev.cvmfde.protocol.wire.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.protocol.wire.Message;
import dev.cvmfde.protocol.wire.MessageType;
import dev.cvmfde.protocol.wire.WireError;
import dev.cvmfde.protocol.wire.WireException;
import dev.cvmfde.protocol.wire.WireLimits;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * JSON body ↔ message. Decoding order: UTF-8 → one JSON object → {@code version} →
 * {@code type} → allowed in this state → size for that type → members → record constructor.
 */
public final class MessageMapping {
    static final String TYPE = "type";
    static final String VERSION = "version";

    /** Nesting: message object → list → reason object; a JWK is one level. */
    private static final int MAX_NESTING_DEPTH = 6;

    static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(20)
                    .maxStringLength(WireLimits.MAX_EVIDENCE_FRAME_BYTES)
                    .build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private MessageMapping() {
    }

    public static byte[] encode(Message message) throws WireException {
        ObjectNode node = MAPPER.createObjectNode();
        node.put(TYPE, message.type().wireName());
        node.put(VERSION, WireLimits.PROTOCOL_VERSION);
        MessageFields.write(message, node);
        byte[] body;
        try {
            body = MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a " + message.type().wireName() + " message", e);
        }
        if (body.length > message.type().maxFrameBytes()) {
            throw new WireException(new WireError.Oversized(body.length, message.type().maxFrameBytes(),
                    message.type().wireName()));
        }
        return body;
    }

    public static Message decode(byte[] body, Expect expect) throws WireException {
        ObjectNode node = parseObject(body);
        checkVersion(node.get(VERSION));
        MessageType type = typeOf(node.get(TYPE));
        if (!expect.accepts(type)) {
            throw new WireException(new WireError.UnexpectedType(type, expect));
        }
        if (body.length > type.maxFrameBytes()) {
            throw new WireException(new WireError.Oversized(body.length, type.maxFrameBytes(), type.wireName()));
        }
        try {
            return MessageFields.read(type, new Fields(node));
        } catch (Fields.FieldException e) {
            throw new WireException(new WireError.InvalidMessage(type, e.getMessage()));
        } catch (IllegalArgumentException e) {
            throw new WireException(new WireError.InvalidMessage(type, e.getMessage()));
        }
    }

    private static ObjectNode parseObject(byte[] body) throws WireException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new WireException(new WireError.Malformed("body is not valid UTF-8"));
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at character " + e.getLocation().getCharOffset();
            throw new WireException(new WireError.Malformed("body is not valid JSON" + where + ": "
                    + Fields.shorten(e.getOriginalMessage())));
        }
        if (node == null || !node.isObject()) {
            throw new WireException(new WireError.Malformed("body must be one JSON object, got "
                    + (node == null ? "nothing" : node.getNodeType())));
        }
        return (ObjectNode) node;
    }

    private static void checkVersion(JsonNode version) throws WireException {
        if (version == null) {
            throw new WireException(new WireError.UnsupportedVersion(WireLimits.PROTOCOL_VERSION, "(missing)"));
        }
        if (!version.isInt() || version.intValue() != WireLimits.PROTOCOL_VERSION) {
            throw new WireException(new WireError.UnsupportedVersion(WireLimits.PROTOCOL_VERSION,
                    Fields.shorten(version.toString())));
        }
    }

    private static MessageType typeOf(JsonNode type) throws WireException {
        if (type == null || !type.isTextual()) {
            throw new WireException(new WireError.UnknownType(type == null ? "(missing)" : Fields.shorten(type.toString())));
        }
        return MessageType.fromWireName(type.textValue())
                .orElseThrow(() -> new WireException(new WireError.UnknownType(Fields.shorten(type.textValue()))));
    }
}
