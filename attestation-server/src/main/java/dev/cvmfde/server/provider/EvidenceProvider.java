package dev.cvmfde.server.provider;

/**
 * Turns a 64-byte challenge into attestation evidence from one source (a kernel interface, a
 * device, or a software TEE). {@link #collect} either returns the raw evidence, unparsed and
 * unverified, or throws an {@link EvidenceException} whose {@link EvidenceException.Kind} says what
 * failed; it never returns partial evidence. Implementations are safe to call from one thread at
 * a time; they do not cache evidence between calls.
 */
public interface EvidenceProvider {

    /** The challenge size: the Arm CCA realm challenge claim (10) is exactly 64 bytes. */
    int CHALLENGE_BYTES = 64;

    /** The name this provider is selected by ({@code tsm}, {@code virtcca}, …). */
    String name();

    /**
     * Asks the TEE for evidence bound to {@code challenge}.
     *
     * @param challenge exactly {@link #CHALLENGE_BYTES} bytes; not modified and not retained
     * @throws EvidenceException with kind {@code INVALID_CHALLENGE} for a challenge of the wrong
     *     size (checked before any device is touched), other kinds for failures of the TEE
     */
    RawEvidence collect(byte[] challenge) throws EvidenceException;

    /**
     * Extends a runtime measurement register with {@code event}, so that every token collected
     * afterwards in this boot reports the changed register. Safe to call while another thread
     * collects: a token reports the registers either before or after the extension, never a mix.
     *
     * @return {@link MeasurementExtension.Extended}, or {@link MeasurementExtension.Unsupported}
     *     (the default) where the guest has no interface to extend a register
     * @throws EvidenceException when the TEE offers the interface but the extension failed
     */
    default MeasurementExtension extend(MeasurementEvent event) throws EvidenceException {
        return new MeasurementExtension.Unsupported(name() + ": this provider cannot extend a measurement register");
    }

    /**
     * TPM evidence only: TPM2_ActivateCredential of the verifier's credential challenge with the
     * attestation key that signed this provider's last quote and its EK; returns the secret.
     *
     * @throws EvidenceException kind {@code UNAVAILABLE} (the default) for providers without a TPM,
     *     other kinds when the TPM refuses (e.g. the credential was not made for this TPM's keys)
     */
    default byte[] activateCredential(byte[] credentialBlob, byte[] encryptedSecret) throws EvidenceException {
        throw new EvidenceException(EvidenceException.Kind.UNAVAILABLE, name()
                + ": credential activation is only for TPM evidence (provider tpm)");
    }

    /**
     * Checks a challenge at the boundary and returns a private copy of it. Every provider calls
     * this first, so a bad challenge fails the same way whichever provider is selected.
     */
    static byte[] requireChallenge(String provider, byte[] challenge) throws EvidenceException {
        if (challenge == null) {
            throw new EvidenceException(EvidenceException.Kind.INVALID_CHALLENGE,
                    provider + ": challenge is missing; exactly " + CHALLENGE_BYTES + " bytes are required");
        }
        if (challenge.length != CHALLENGE_BYTES) {
            throw new EvidenceException(EvidenceException.Kind.INVALID_CHALLENGE,
                    provider + ": challenge has " + challenge.length + " bytes; exactly " + CHALLENGE_BYTES
                            + " are required (the CCA realm challenge size)");
        }
        return challenge.clone();
    }
}
