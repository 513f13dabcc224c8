package dev.cvmfde.protocol.cose.internal;

import COSE.AlgorithmID;
import COSE.Attribute;
import COSE.CoseException;
import COSE.HeaderKeys;
import COSE.Message;
import COSE.MessageTag;
import COSE.OneKey;
import COSE.Sign1Message;
import dev.cvmfde.protocol.cose.CoseAlgorithm;
import java.security.PrivateKey;
import java.security.PublicKey;

/**
 * The COSE-Java calls, kept in one place. COSE-Java 1.1.0 handles ES256/ES384/ES512 with the
 * raw r‖s signature form on plain JCA keys; it names RSA-PSS "SHA256withRSA/PSS", which only
 * Bouncy Castle provides, and it cannot read DER signatures, so those cases never reach here.
 */
public final class CoseJavaBridge {

    private CoseJavaBridge() {
    }

    /** True when COSE-Java verifies the tagged COSE_Sign1 {@code encoded} with {@code key}. */
    public static boolean verify(byte[] encoded, PublicKey key) throws CoseException {
        Message msg = Message.DecodeFromBytes(encoded, MessageTag.Sign1);
        return ((Sign1Message) msg).validate(new OneKey(key, null));
    }

    /** Signs {@code payload} into a tagged COSE_Sign1 with alg in the protected header. */
    public static byte[] sign(CoseAlgorithm alg, byte[] payload, PublicKey pub, PrivateKey priv)
            throws CoseException {
        Sign1Message msg = new Sign1Message();
        msg.addAttribute(HeaderKeys.Algorithm, algorithmId(alg).AsCBOR(), Attribute.PROTECTED);
        msg.SetContent(payload);
        msg.sign(new OneKey(pub, priv));
        return msg.EncodeToBytes();
    }

    private static AlgorithmID algorithmId(CoseAlgorithm alg) {
        return switch (alg) {
            case ES256 -> AlgorithmID.ECDSA_256;
            case ES384 -> AlgorithmID.ECDSA_384;
            case ES512 -> AlgorithmID.ECDSA_512;
            case PS256 -> AlgorithmID.RSA_PSS_256;
        };
    }
}
