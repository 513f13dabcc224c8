package dev.cvmfde.protocol.wire;

/**
 * Named bounds for everything that crosses the wire. Frame limits apply to the JSON body (the
 * value of the 4-byte length prefix, which itself is not counted). Field limits are enforced by
 * the message records; the frame limits are sized so that any valid message fits its frame.
 */
public final class WireLimits {
    private WireLimits() {
    }

    /** The protocol version this code speaks. */
    public static final int PROTOCOL_VERSION = 1;

    /** Verifier nonce: exactly the CCA challenge size. */
    public static final int NONCE_BYTES = 64;
    /** An attestation token (CCA: a few KiB; virtCCA double-wrapped tokens are larger). */
    public static final int MAX_TOKEN_BYTES = 64 * 1024;
    /** A TCG2/CCEL event log: typically tens of KiB; generous for long boot chains. */
    public static final int MAX_EVENT_LOG_BYTES = 2 * 1024 * 1024;
    /** One DER certificate of the platform chain. */
    public static final int MAX_CERT_BYTES = 16 * 1024;
    /** Certificates in the platform chain. */
    public static final int MAX_CERT_CHAIN_LENGTH = 8;
    /** Evidence provider name ({@code tsm}, {@code virtcca}, {@code simulated}, …). */
    public static final int MAX_PROVIDER_CHARS = 32;
    /** A compact JWS release; fits a sealed key of {@code KeyFile.MAX_KEY_FILE_BYTES} (8 KiB). */
    public static final int MAX_RELEASE_JWS_CHARS = 24 * 1024;
    /** Reasons in one refusal. */
    public static final int MAX_REASONS = 16;
    /** A reason's check name ({@code freshness}, {@code rim}, …). */
    public static final int MAX_CHECK_CHARS = 64;
    /** A reason's message, and an ack's detail. */
    public static final int MAX_TEXT_CHARS = 512;

    /** Body of an {@code evidence-request} frame. */
    public static final int MAX_EVIDENCE_REQUEST_FRAME_BYTES = 1024;
    /** Body of an {@code evidence} frame: token, event log and chain, base64url in JSON. */
    public static final int MAX_EVIDENCE_FRAME_BYTES = 4 * 1024 * 1024;
    /** Body of a {@code release} frame. */
    public static final int MAX_RELEASE_FRAME_BYTES = 32 * 1024;
    /** Body of a {@code refusal} frame (16 reasons of at most 64 + 512 characters, UTF-8). */
    public static final int MAX_REFUSAL_FRAME_BYTES = 32 * 1024;
    /** Body of an {@code ack} frame. */
    public static final int MAX_ACK_FRAME_BYTES = 4 * 1024;
}
