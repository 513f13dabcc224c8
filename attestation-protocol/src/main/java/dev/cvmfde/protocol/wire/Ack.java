package dev.cvmfde.protocol.wire;

/** Guest → verifier: whether the released key unlocked the disk, with a short detail. */
public record Ack(boolean unlocked, String detail) implements Message {

    public Ack {
        Text.check(detail, "ack detail", WireLimits.MAX_TEXT_CHARS, true);
    }

    /** An ack from arbitrary text: control characters replaced, detail cut to the limit. */
    public static Ack truncating(boolean unlocked, String detail) {
        return new Ack(unlocked, Text.sanitize(detail, WireLimits.MAX_TEXT_CHARS));
    }

    @Override
    public MessageType type() {
        return MessageType.ACK;
    }
}
