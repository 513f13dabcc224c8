package dev.cvmfde.protocol.wire;

/**
 * One message of the attestation exchange. Records validate at construction, so an instance
 * is always within the limits of {@link WireLimits}; decoding JSON goes through the same
 * constructors.
 */
public sealed interface Message permits EvidenceRequest, Evidence, Release, Refusal, Ack,
        CredentialChallenge, CredentialResponse {
    MessageType type();
}
