package dev.cvmfde.protocol.tpm;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * TPM2_MakeCredential done in software (TPM 2.0 Library Part 1 §24, "Credential Protection"), for
 * an RSA EK made from the TCG default template (sha256 name algorithm, AES-128-CFB): a random seed
 * is OAEP-encrypted to the EK (label {@code "IDENTITY"}); the credential is AES-128-CFB encrypted
 * under KDFa(seed, "STORAGE", name) and protected by an HMAC under KDFa(seed, "INTEGRITY") over
 * the ciphertext and the object's name. Only the TPM holding that EK can recover the credential,
 * and only with ActivateCredential on a loaded object with exactly that name.
 */
public final class MakeCredential {
    /** The secret's length: a sha256 digest. */
    public static final int CREDENTIAL_BYTES = 32;

    /** {@code credentialBlob}: TPM2B_ID_OBJECT contents; {@code encryptedSecret}: TPM2B_ENCRYPTED_SECRET contents. */
    public record Blob(byte[] credentialBlob, byte[] encryptedSecret) {
        public Blob {
            credentialBlob = credentialBlob.clone();
            encryptedSecret = encryptedSecret.clone();
        }

        @Override
        public byte[] credentialBlob() {
            return credentialBlob.clone();
        }

        @Override
        public byte[] encryptedSecret() {
            return encryptedSecret.clone();
        }
    }

    private MakeCredential() {
    }

    /**
     * @param ek the EK's public key (from its certificate)
     * @param objectName the TPM name of the object the credential is bound to (the AK)
     * @param credential the secret ({@value #CREDENTIAL_BYTES} bytes)
     * @param seed {@value #CREDENTIAL_BYTES} fresh random bytes (not kept)
     */
    public static Blob make(RSAPublicKey ek, byte[] objectName, byte[] credential, byte[] seed)
            throws GeneralSecurityException {
        if (credential.length != CREDENTIAL_BYTES || seed.length != CREDENTIAL_BYTES) {
            throw new IllegalArgumentException("credential and seed must be " + CREDENTIAL_BYTES + " bytes each");
        }
        byte[] label = "IDENTITY\0".getBytes(StandardCharsets.US_ASCII);
        Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
        oaep.init(Cipher.ENCRYPT_MODE, ek, new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                new PSource.PSpecified(label)));
        byte[] encryptedSecret = oaep.doFinal(seed);
        byte[] symKey = kdfa(seed, "STORAGE", objectName, new byte[0], 128);
        byte[] hmacKey = kdfa(seed, "INTEGRITY", new byte[0], new byte[0], 256);
        try {
            Cipher cfb = Cipher.getInstance("AES/CFB/NoPadding");
            cfb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(symKey, "AES"), new IvParameterSpec(new byte[16]));
            byte[] encIdentity = cfb.doFinal(new TpmWriter().tpm2b(credential).toByteArray());
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(hmacKey, "HmacSHA256"));
            mac.update(encIdentity);
            mac.update(objectName);
            byte[] outerHmac = mac.doFinal();
            byte[] blob = new TpmWriter().tpm2b(outerHmac).bytes(encIdentity).toByteArray();
            return new Blob(blob, encryptedSecret);
        } finally {
            Arrays.fill(symKey, (byte) 0);
            Arrays.fill(hmacKey, (byte) 0);
        }
    }

    /** KDFa with HMAC-SHA256 (Part 1 §11.4.10.2): counter ‖ label ‖ 0 ‖ contextU ‖ contextV ‖ bits. */
    static byte[] kdfa(byte[] key, String label, byte[] contextU, byte[] contextV, int bits)
            throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] out = new byte[(bits + 7) / 8];
        int done = 0;
        for (int counter = 1; done < out.length; counter++) {
            mac.update(new TpmWriter().u32(counter).toByteArray());
            mac.update(label.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) 0);
            mac.update(contextU);
            mac.update(contextV);
            mac.update(new TpmWriter().u32(bits).toByteArray());
            byte[] block = mac.doFinal();
            int n = Math.min(block.length, out.length - done);
            System.arraycopy(block, 0, out, done, n);
            done += n;
        }
        return out;
    }
}
