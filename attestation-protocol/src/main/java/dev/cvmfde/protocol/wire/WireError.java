package dev.cvmfde.protocol.wire;

/**
 * Why a frame could not be read. Each variant says what was expected and what came; none
 * carries frame content beyond short identifiers, so it is safe to log.
 */
public sealed interface WireError {

    /** One line for logs and error replies. */
    String describe();

    /** The length prefix (or an encoded body) exceeds the limit for what may come next. */
    record Oversized(long length, int limit, String what) implements WireError {
        public String describe() {
            return "frame: " + what + " frame of " + length + " bytes exceeds the limit of " + limit + " bytes";
        }
    }

    /** A length prefix of zero: there is no empty message. */
    record EmptyFrame() implements WireError {
        public String describe() {
            return "frame: length prefix is 0; every message has a JSON body";
        }
    }

    /** The peer closed the connection in the middle of a frame. */
    record Truncated(long expectedBytes, long receivedBytes) implements WireError {
        public String describe() {
            return "frame: connection closed after " + receivedBytes + " of " + expectedBytes + " bytes of a frame";
        }
    }

    /** The peer closed the connection cleanly between frames (blocking reader only). */
    record PeerClosed() implements WireError {
        public String describe() {
            return "frame: connection closed by the peer before a message arrived";
        }
    }

    /** The body is not UTF-8, not JSON, not one JSON object, or breaks a parser limit. */
    record Malformed(String detail) implements WireError {
        public String describe() {
            return "json: " + detail;
        }
    }

    /** The {@code "version"} member is not the version this code speaks. */
    record UnsupportedVersion(int supported, String received) implements WireError {
        public String describe() {
            return "version: this peer speaks protocol version " + supported + ", the message has version " + received;
        }
    }

    /** The {@code "type"} member names no message of this protocol. */
    record UnknownType(String received) implements WireError {
        public String describe() {
            return "type: unknown message type " + received;
        }
    }

    /** A known message that is not allowed in the current state of the exchange. */
    record UnexpectedType(MessageType received, Expect expected) implements WireError {
        public String describe() {
            return "type: expected " + expected + ", got " + received.wireName();
        }
    }

    /** A message whose members are missing, unknown, of the wrong kind or out of bounds. */
    record InvalidMessage(MessageType type, String detail) implements WireError {
        public String describe() {
            return type.wireName() + ": " + detail;
        }
    }
}
