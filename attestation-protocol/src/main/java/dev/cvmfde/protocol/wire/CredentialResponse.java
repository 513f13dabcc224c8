package dev.cvmfde.protocol.wire;

import java.util.Arrays;

/**
 * Guest → verifier: the secret TPM2_ActivateCredential recovered from the
 * {@link CredentialChallenge}; the verifier compares it in constant time with the one it sealed.
 * Not printed by {@link #toString()}.
 */
public record CredentialResponse(byte[] secret) implements Message {

    public CredentialResponse {
        if (secret == null || secret.length == 0 || secret.length > WireLimits.MAX_CREDENTIAL_SECRET_BYTES) {
            throw new IllegalArgumentException("secret holds " + (secret == null ? "nothing" : secret.length + " bytes")
                    + "; 1 to " + WireLimits.MAX_CREDENTIAL_SECRET_BYTES + " are allowed");
        }
        secret = secret.clone();
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public MessageType type() {
        return MessageType.CREDENTIAL_RESPONSE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CredentialResponse c && java.security.MessageDigest.isEqual(secret, c.secret);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(secret);
    }

    @Override
    public String toString() {
        return "CredentialResponse[" + secret.length + " bytes]";
    }
}
