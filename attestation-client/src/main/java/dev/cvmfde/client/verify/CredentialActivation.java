package dev.cvmfde.client.verify;

import java.util.Objects;

/**
 * What the credential activation of TPM evidence showed (stage {@link Stage#AK_ACTIVATION}): the
 * secret the host sealed with MakeCredential to (EK, AK name) and what the guest answered, or why
 * no activation took place. Only {@link TpmCredential} makes the {@link Answered} form, so the
 * expected secret is always the host's own.
 */
public sealed interface CredentialActivation {

    /** The challenge was sent and answered (the answer may be wrong: the verifier compares). */
    final class Answered implements CredentialActivation {
        private final byte[] expected;
        private final byte[] returned;
        private final byte[] akName;

        Answered(byte[] expected, byte[] returned, byte[] akName) {
            this.expected = expected.clone();
            this.returned = returned.clone();
            this.akName = akName.clone();
        }

        byte[] expected() {
            return expected.clone();
        }

        byte[] returned() {
            return returned.clone();
        }

        /** The AK name the credential was bound to. */
        public byte[] akName() {
            return akName.clone();
        }

        @Override
        public String toString() {
            return "CredentialActivation.Answered[" + returned.length + " B]";
        }
    }

    /** No activation: the evidence could not be decoded far enough, or the guest did not answer. */
    record NotDone(String reason) implements CredentialActivation {
        public NotDone {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
