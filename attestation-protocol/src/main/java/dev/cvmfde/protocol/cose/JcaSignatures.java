package dev.cvmfde.protocol.cose;

import dev.cvmfde.protocol.cose.internal.EcdsaSignatures;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Optional;

/**
 * The cases COSE-Java 1.1.0 cannot do on a JDK without Bouncy Castle: PS256 (it asks JCA for
 * "SHA256withRSA/PSS", a Bouncy Castle name) and DER-encoded ECDSA signatures.
 */
final class JcaSignatures {

    /** RFC 8230: PS256 is RSASSA-PSS with SHA-256, MGF1 with SHA-256, 32-byte salt. */
    static final PSSParameterSpec PS256_PARAMS =
            new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);

    /** Smallest RSA modulus accepted for PS256 (RFC 8230 §2 requires 2048 bits). */
    static final int MIN_RSA_BITS = 2048;

    private JcaSignatures() {
    }

    static Optional<String> keyMismatch(CoseAlgorithm alg, PublicKey key) {
        if (key == null) {
            return Optional.of("no key given for " + alg);
        }
        if (alg.isEcdsa()) {
            if (!(key instanceof ECKey ec)) {
                return Optional.of(alg + " needs an EC key; got " + key.getAlgorithm());
            }
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            if ((bits + 7) / 8 != alg.fieldBytes()) {
                return Optional.of(alg + " needs a " + curveName(alg) + " key; got a " + bits + "-bit curve");
            }
            return Optional.empty();
        }
        if (!(key instanceof RSAKey rsa)) {
            return Optional.of(alg + " needs an RSA key; got " + key.getAlgorithm());
        }
        if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
            return Optional.of(alg + " needs an RSA key of at least " + MIN_RSA_BITS + " bits; got "
                    + rsa.getModulus().bitLength());
        }
        return Optional.empty();
    }

    private static String curveName(CoseAlgorithm alg) {
        return switch (alg) {
            case ES256 -> "P-256";
            case ES384 -> "P-384";
            case ES512 -> "P-521";
            case PS256 -> "RSA";
        };
    }

    static CoseVerification verifyPss(CoseSign1 msg, PublicKey key) {
        try {
            Signature s = Signature.getInstance("RSASSA-PSS");
            s.setParameter(PS256_PARAMS);
            s.initVerify(key);
            s.update(msg.toBeSigned());
            return s.verify(msg.signatureRef())
                    ? new CoseVerification.Valid(CoseAlgorithm.PS256, SignatureEncoding.RAW)
                    : new CoseVerification.Invalid("PS256 signature does not verify with the given key");
        } catch (GeneralSecurityException | RuntimeException e) {
            return new CoseVerification.Invalid("PS256 signature check failed: " + e.getMessage());
        }
    }

    static CoseVerification verifyEcdsaDer(CoseSign1 msg, PublicKey key, byte[] der) {
        return verifyEcdsaDer(msg, key, der, null, SignatureEncoding.DER);
    }

    /** {@code provider} null: the JCA default. {@code encoding}: how the signature was laid out in the token. */
    static CoseVerification verifyEcdsaDer(CoseSign1 msg, PublicKey key, byte[] der, java.security.Provider provider,
            SignatureEncoding encoding) {
        try {
            Signature s = provider == null ? Signature.getInstance(msg.algorithm().jcaName())
                    : Signature.getInstance(msg.algorithm().jcaName(), provider);
            s.initVerify(key);
            s.update(msg.toBeSigned());
            return s.verify(der)
                    ? new CoseVerification.Valid(msg.algorithm(), encoding)
                    : new CoseVerification.Invalid(msg.algorithm() + " signature does not verify with the given key");
        } catch (GeneralSecurityException | RuntimeException e) {
            return new CoseVerification.Invalid(msg.algorithm() + " signature check failed: " + e.getMessage());
        }
    }

    /** {@code provider} null: the JCA default. */
    static CoseSign1 sign(CoseAlgorithm alg, PrivateKey key, byte[] payload, SignatureEncoding encoding,
            java.security.Provider provider) throws GeneralSecurityException {
        return sign(alg, key, payload, encoding, provider, null);
    }

    /** {@code random} null: the provider's default source for the ECDSA nonce or PSS salt. */
    static CoseSign1 sign(CoseAlgorithm alg, PrivateKey key, byte[] payload, SignatureEncoding encoding,
            java.security.Provider provider, java.security.SecureRandom random) throws GeneralSecurityException {
        byte[] prot = com.upokecenter.cbor.CBORObject.NewMap().Add(1, alg.coseId()).EncodeToBytes();
        byte[] tbs = CoseSign1.sigStructure(prot, payload);
        Signature s = provider == null ? Signature.getInstance(alg.jcaName())
                : Signature.getInstance(alg.jcaName(), provider);
        if (alg == CoseAlgorithm.PS256) {
            s.setParameter(PS256_PARAMS);
        }
        if (random == null) {
            s.initSign(key);
        } else {
            s.initSign(key, random);
        }
        s.update(tbs);
        byte[] sig = s.sign();
        if (alg.isEcdsa()) {
            byte[] raw = EcdsaSignatures.derToRaw(sig, alg.fieldBytes()).orElseThrow(
                    () -> new GeneralSecurityException("JCA produced a signature that is not strict DER"));
            sig = encoding == SignatureEncoding.RAW ? raw : EcdsaSignatures.rawToDer(raw);
        }
        return CoseSign1.assemble(prot, payload, sig, alg);
    }
}
