package dev.cvmfde.protocol.wire;

import java.util.Arrays;
import java.util.Optional;

/** The messages of the exchange (the credential pair only with TPM evidence), their JSON {@code "type"} names and frame limits. */
public enum MessageType {
    EVIDENCE_REQUEST("evidence-request", WireLimits.MAX_EVIDENCE_REQUEST_FRAME_BYTES),
    EVIDENCE("evidence", WireLimits.MAX_EVIDENCE_FRAME_BYTES),
    RELEASE("release", WireLimits.MAX_RELEASE_FRAME_BYTES),
    REFUSAL("refusal", WireLimits.MAX_REFUSAL_FRAME_BYTES),
    ACK("ack", WireLimits.MAX_ACK_FRAME_BYTES),
    CREDENTIAL_CHALLENGE("credential-challenge", WireLimits.MAX_CREDENTIAL_FRAME_BYTES),
    CREDENTIAL_RESPONSE("credential-response", WireLimits.MAX_CREDENTIAL_FRAME_BYTES);

    private final String wireName;
    private final int maxFrameBytes;

    MessageType(String wireName, int maxFrameBytes) {
        this.wireName = wireName;
        this.maxFrameBytes = maxFrameBytes;
    }

    /** The value of the JSON {@code "type"} member. */
    public String wireName() {
        return wireName;
    }

    /** Largest JSON body allowed for this type. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    public static Optional<MessageType> fromWireName(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }
}
