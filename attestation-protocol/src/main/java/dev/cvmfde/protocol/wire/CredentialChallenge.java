package dev.cvmfde.protocol.wire;

import java.util.Arrays;

/**
 * Verifier → guest, TPM evidence only: the output of TPM2_MakeCredential to the guest's EK for
 * the name of the AK that signed the quote ({@code credentialBlob}: TPM2B_ID_OBJECT contents,
 * {@code encryptedSecret}: TPM2B_ENCRYPTED_SECRET contents). Only the TPM that holds both keys
 * can answer with the secret (docs/tpm-evidence.md). Arrays are copied in and out.
 */
public record CredentialChallenge(byte[] credentialBlob, byte[] encryptedSecret) implements Message {

    public CredentialChallenge {
        credentialBlob = check(credentialBlob, "credentialBlob");
        encryptedSecret = check(encryptedSecret, "encryptedSecret");
    }

    private static byte[] check(byte[] b, String field) {
        if (b == null || b.length == 0 || b.length > WireLimits.MAX_CREDENTIAL_BYTES) {
            throw new IllegalArgumentException(field + " holds " + (b == null ? "nothing" : b.length + " bytes")
                    + "; 1 to " + WireLimits.MAX_CREDENTIAL_BYTES + " are allowed");
        }
        return b.clone();
    }

    @Override
    public byte[] credentialBlob() {
        return credentialBlob.clone();
    }

    @Override
    public byte[] encryptedSecret() {
        return encryptedSecret.clone();
    }

    @Override
    public MessageType type() {
        return MessageType.CREDENTIAL_CHALLENGE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CredentialChallenge c && Arrays.equals(credentialBlob, c.credentialBlob)
                && Arrays.equals(encryptedSecret, c.encryptedSecret);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(credentialBlob) * 31 + Arrays.hashCode(encryptedSecret);
    }

    @Override
    public String toString() {
        return "CredentialChallenge[" + credentialBlob.length + " + " + encryptedSecret.length + " bytes]";
    }
}
