package dev.cvmfde.client.verify;

import dev.cvmfde.protocol.tpm.MakeCredential;
import dev.cvmfde.protocol.tpm.TpmEvidenceBlob;
import dev.cvmfde.protocol.tpm.TpmFormatException;
import dev.cvmfde.protocol.tpm.TpmPublic;
import dev.cvmfde.protocol.wire.CredentialChallenge;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.List;

/**
 * The host's half of the credential activation of TPM evidence: MakeCredential to the EK of the
 * (still unverified) EK certificate for the name of the (still unverified) AK, with a fresh
 * 32-byte secret. Sending it proves nothing yet and reveals nothing; the verifier decides at
 * stage {@link Stage#AK_ACTIVATION} whether the answer is that secret, and at
 * {@link Stage#EK_CERTIFICATE} whether that EK is one the pinned root vouches for.
 */
public final class TpmCredential {
    private final CredentialChallenge challenge;
    private final byte[] secret;
    private final byte[] akName;

    private TpmCredential(CredentialChallenge challenge, byte[] secret, byte[] akName) {
        this.challenge = challenge;
        this.secret = secret;
        this.akName = akName;
    }

    /**
     * A challenge for the evidence's AK and EK.
     *
     * @throws IllegalArgumentException with the reason when the token or the EK certificate cannot
     *     be read far enough (the verifier then refuses at DECODE or EK_CERTIFICATE)
     */
    public static TpmCredential forEvidence(byte[] token, List<byte[]> certChain, SecureRandom random) {
        byte[] name;
        try {
            name = TpmPublic.parse(TpmEvidenceBlob.decode(token).akPublic()).name();
        } catch (TpmFormatException e) {
            throw new IllegalArgumentException("the TPM evidence does not decode: " + e.getMessage());
        }
        if (certChain.isEmpty()) {
            throw new IllegalArgumentException("the evidence holds no EK certificate");
        }
        try {
            X509Certificate ek = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certChain.getFirst()));
            if (!(ek.getPublicKey() instanceof RSAPublicKey rsa)) {
                throw new IllegalArgumentException("the EK certificate's key is " + ek.getPublicKey().getAlgorithm()
                        + "; an RSA EK is required");
            }
            byte[] secret = new byte[MakeCredential.CREDENTIAL_BYTES];
            byte[] seed = new byte[MakeCredential.CREDENTIAL_BYTES];
            random.nextBytes(secret);
            random.nextBytes(seed);
            try {
                MakeCredential.Blob blob = MakeCredential.make(rsa, name, secret, seed);
                return new TpmCredential(new CredentialChallenge(blob.credentialBlob(), blob.encryptedSecret()),
                        secret, name);
            } finally {
                Arrays.fill(seed, (byte) 0);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("the EK certificate cannot be used: " + e.getMessage());
        }
    }

    /** The message to send the guest. */
    public CredentialChallenge challenge() {
        return challenge;
    }

    /** The guest's answer, for the verifier to compare. */
    public CredentialActivation answered(byte[] returned) {
        return new CredentialActivation.Answered(secret, returned, akName);
    }

    @Override
    public String toString() {
        return "TpmCredential[" + challenge + "]";
    }
}
