package dev.cvmfde.protocol.wire;

import dev.cvmfde.protocol.wire.internal.MessageMapping;

/**
 * The JSON body of a frame. Every message carries {@code "type"} and {@code "version": 1};
 * byte strings are unpadded base64url; unknown members, duplicate members and trailing data are
 * refused. Framing (length prefix) is done by {@link FrameReader}/{@link FrameWriter} and the
 * Netty codecs.
 */
public final class MessageJson {
    private MessageJson() {
    }

    /** The UTF-8 JSON body of {@code message}; fails if it would exceed its type's frame limit. */
    public static byte[] encode(Message message) throws WireException {
        return MessageMapping.encode(message);
    }

    /** Parses and validates one body; the message must be one of {@code expect}. */
    public static Message decode(byte[] body, Expect expect) throws WireException {
        return MessageMapping.decode(body, expect);
    }
}
