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
    /** Failed stages named in one refusal. */
    public static final int MAX_REFUSED_STAGES = 16;
    /** A stage name in a refusal ({@code freshness}, {@code boot-components}, …). */
    public static final int MAX_STAGE_CHARS = 32;
    /** An ack's detail. */
    public static final int MAX_TEXT_CHARS = 512;

    /** A credential challenge's blob or encrypted secret (RSA 4096: 512 bytes). */
    public static final int MAX_CREDENTIAL_BYTES = 1024;
    /** The secret ActivateCredential returns (a TPM2B_DIGEST). */
    public static final int MAX_CREDENTIAL_SECRET_BYTES = 64;

    /** Body of an {@code evidence-request} frame. */
    public static final int MAX_EVIDENCE_REQUEST_FRAME_BYTES = 1024;
    /** Body of an {@code evidence} frame: token, event log and chain, base64url in JSON. */
    public static final int MAX_EVIDENCE_FRAME_BYTES = 4 * 1024 * 1024;
    /** Body of a {@code release} frame. */
    public static final int MAX_RELEASE_FRAME_BYTES = 32 * 1024;
    /** Body of a {@code refusal} frame (16 stage names of at most 32 ASCII characters). */
    public static final int MAX_REFUSAL_FRAME_BYTES = 1024;
    /** Body of a {@code credential-challenge} or {@code credential-response} frame. */
    public static final int MAX_CREDENTIAL_FRAME_BYTES = 4 * 1024;
    /** Body of an {@code ack} frame. */
    public static final int MAX_ACK_FRAME_BYTES = 4 * 1024;
}
