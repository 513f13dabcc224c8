package dev.cvmfde.protocol.cose;

import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import dev.cvmfde.protocol.cose.internal.BoundedCbor;
import dev.cvmfde.protocol.cose.internal.CoseJavaBridge;
import dev.cvmfde.protocol.cose.internal.EcdsaSignatures;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Optional;

/**
 * One tagged COSE_Sign1 (RFC 9052) with an attached payload, exactly as it was received.
 * {@link #decode} checks the structure and the algorithm; {@link #verify} checks the
 * signature and returns a typed result. ECDSA signatures are accepted in the RFC's raw r‖s
 * form and in DER (virtCCA); which library checks a case is not visible to callers.
 */
public final class CoseSign1 {

    /** COSE_Sign1 CBOR tag. */
    public static final int TAG = 18;

    private final byte[] encoded;
    private final byte[] protectedHeader;
    private final byte[] payload;
    private final byte[] signature;
    private final CoseAlgorithm algorithm;

    private CoseSign1(byte[] encoded, byte[] protectedHeader, byte[] payload, byte[] signature,
            CoseAlgorithm algorithm) {
        this.encoded = encoded;
        this.protectedHeader = protectedHeader;
        this.payload = payload;
        this.signature = signature;
        this.algorithm = algorithm;
    }

    /** Decodes a tagged COSE_Sign1; the input is copied, never modified. */
    public static CoseSign1 decode(byte[] bytes) throws CoseFormatException {
        byte[] copy = bytes.clone();
        CBORObject top = cbor(copy, "COSE_Sign1");
        if (!top.HasOneTag(TAG)) {
            throw new CoseFormatException("COSE_Sign1: expected exactly CBOR tag 18, got tags "
                    + java.util.Arrays.toString(top.GetAllTags()));
        }
        CBORObject arr = top.UntagOne();
        if (arr.getType() != CBORType.Array || arr.size() != 4) {
            throw new CoseFormatException("COSE_Sign1: expected an array of 4, got " + describe(arr));
        }
        byte[] prot = bstr(arr.get(0), "protected header");
        if (arr.get(1).getType() != CBORType.Map) {
            throw new CoseFormatException("COSE_Sign1: unprotected header must be a map, got " + describe(arr.get(1)));
        }
        byte[] payload = bstr(arr.get(2), "payload");
        byte[] sig = bstr(arr.get(3), "signature");
        return new CoseSign1(copy, prot, payload, sig, algorithmOf(prot));
    }

    private static CoseAlgorithm algorithmOf(byte[] prot) throws CoseFormatException {
        if (prot.length == 0) {
            throw new CoseFormatException("COSE_Sign1: protected header is empty; it must carry alg (label 1)");
        }
        CBORObject map = cbor(prot, "protected header");
        if (map.getType() != CBORType.Map) {
            throw new CoseFormatException("COSE_Sign1: protected header must be a map, got " + describe(map));
        }
        CBORObject alg = map.get(CBORObject.FromObject(1));
        if (alg == null || alg.getType() != CBORType.Integer || !alg.CanValueFitInInt64()) {
            throw new CoseFormatException("COSE_Sign1: protected header alg (label 1) must be an integer, got "
                    + (alg == null ? "nothing" : describe(alg)));
        }
        long id = alg.AsInt64Value();
        return CoseAlgorithm.fromCoseId(id).orElseThrow(() -> new CoseFormatException(
                "COSE_Sign1: alg " + id + " is not one of ES256 (-7), ES384 (-35), ES512 (-36), PS256 (-37)"));
    }

    /** Signs {@code payload} into a tagged COSE_Sign1 with alg in the protected header. */
    public static CoseSign1 sign(CoseAlgorithm alg, KeyPair keys, byte[] payload, SignatureEncoding encoding)
            throws GeneralSecurityException {
        if (alg.isEcdsa() && encoding == SignatureEncoding.RAW) {
            try {
                return decode(CoseJavaBridge.sign(alg, payload.clone(), keys.getPublic(), keys.getPrivate()));
            } catch (COSE.CoseException | CoseFormatException e) {
                throw new GeneralSecurityException("COSE-Java could not sign with " + alg + ": " + e.getMessage(), e);
            }
        }
        return JcaSignatures.sign(alg, keys.getPrivate(), payload, encoding, null);
    }

    /**
     * Like {@link #sign(CoseAlgorithm, KeyPair, byte[], SignatureEncoding)}, but signs with plain
     * JCA from {@code provider} (the same bytes COSE-Java writes: protected header {@code {1: alg}},
     * raw r‖s or DER), e.g. a faster provider for a simulated TEE that signs every session.
     */
    public static CoseSign1 sign(CoseAlgorithm alg, KeyPair keys, byte[] payload, SignatureEncoding encoding,
            java.security.Provider provider) throws GeneralSecurityException {
        return JcaSignatures.sign(alg, keys.getPrivate(), payload, encoding, java.util.Objects.requireNonNull(provider));
    }

    /**
     * Like {@link #sign(CoseAlgorithm, KeyPair, byte[], SignatureEncoding)}, but signs with plain
     * JCA (the default provider) and draws the ECDSA nonce or the PSS salt from {@code random}. A
     * seeded {@code random} makes the signature bytes reproducible, which test corpora need; never
     * use a seeded one with a real key (two ECDSA signatures with one nonce give the key away).
     */
    public static CoseSign1 sign(CoseAlgorithm alg, KeyPair keys, byte[] payload, SignatureEncoding encoding,
            java.security.SecureRandom random) throws GeneralSecurityException {
        return JcaSignatures.sign(alg, keys.getPrivate(), payload, encoding, null,
                java.util.Objects.requireNonNull(random, "random"));
    }

    /**
     * Checks the signature with {@code key}. A wrong key type, a wrong curve, a signature of
     * the wrong shape or a bad signature all give {@link CoseVerification.Invalid}.
     */
    public CoseVerification verify(PublicKey key) {
        Optional<String> mismatch = JcaSignatures.keyMismatch(algorithm, key);
        if (mismatch.isPresent()) {
            return new CoseVerification.Invalid(mismatch.get());
        }
        if (!algorithm.isEcdsa()) {
            return JcaSignatures.verifyPss(this, key);
        }
        if (signature.length == 2 * algorithm.fieldBytes()) {
            try {
                if (CoseJavaBridge.verify(encoded, key)) {
                    return new CoseVerification.Valid(algorithm, SignatureEncoding.RAW);
                }
            } catch (COSE.CoseException | RuntimeException e) {
                return new CoseVerification.Invalid(algorithm + " signature check failed: " + e.getMessage());
            }
        }
        Optional<byte[]> raw = EcdsaSignatures.derToRaw(signature, algorithm.fieldBytes());
        if (raw.isPresent()) {
            return JcaSignatures.verifyEcdsaDer(this, key, EcdsaSignatures.rawToDer(raw.get()));
        }
        if (signature.length == 2 * algorithm.fieldBytes()) {
            return new CoseVerification.Invalid(algorithm + " signature does not verify with the given key");
        }
        return new CoseVerification.Invalid(algorithm + " signature is " + signature.length
                + " bytes; expected " + 2 * algorithm.fieldBytes() + " bytes r‖s or a DER ECDSA signature");
    }

    /**
     * Like {@link #verify(PublicKey)}, but ECDSA signatures (raw r‖s or DER) are checked on JCA
     * with {@code ecdsaProvider} instead of COSE-Java and the default provider. The host
     * verifier passes Bouncy Castle, several times faster than the JDK for P-384; this module
     * itself stays free of it. Key checks, PS256 and the result are the same as {@code verify(key)}.
     */
    public CoseVerification verify(PublicKey key, java.security.Provider ecdsaProvider) {
        java.util.Objects.requireNonNull(ecdsaProvider, "ecdsaProvider");
        Optional<String> mismatch = JcaSignatures.keyMismatch(algorithm, key);
        if (mismatch.isPresent()) {
            return new CoseVerification.Invalid(mismatch.get());
        }
        if (!algorithm.isEcdsa()) {
            return JcaSignatures.verifyPss(this, key);
        }
        if (signature.length == 2 * algorithm.fieldBytes()) {
            CoseVerification raw = JcaSignatures.verifyEcdsaDer(this, key, EcdsaSignatures.rawToDer(signature),
                    ecdsaProvider, SignatureEncoding.RAW);
            if (raw.isValid()) {
                return raw;
            }
        }
        Optional<byte[]> raw = EcdsaSignatures.derToRaw(signature, algorithm.fieldBytes());
        if (raw.isPresent()) {
            return JcaSignatures.verifyEcdsaDer(this, key, EcdsaSignatures.rawToDer(raw.get()), ecdsaProvider,
                    SignatureEncoding.DER);
        }
        if (signature.length == 2 * algorithm.fieldBytes()) {
            return new CoseVerification.Invalid(algorithm + " signature does not verify with the given key");
        }
        return new CoseVerification.Invalid(algorithm + " signature is " + signature.length
                + " bytes; expected " + 2 * algorithm.fieldBytes() + " bytes r‖s or a DER ECDSA signature");
    }

    /** The Sig_structure ("Signature1", protected, empty external AAD, payload) that is signed. */
    public byte[] toBeSigned() {
        return sigStructure(protectedHeader, payload);
    }

    static byte[] sigStructure(byte[] protectedHeader, byte[] payload) {
        CBORObject s = CBORObject.NewArray();
        s.Add("Signature1");
        s.Add(CBORObject.FromObject(protectedHeader));
        s.Add(CBORObject.FromObject(new byte[0]));
        s.Add(CBORObject.FromObject(payload));
        return s.EncodeToBytes();
    }

    static CoseSign1 assemble(byte[] protectedHeader, byte[] payload, byte[] signature, CoseAlgorithm alg) {
        CBORObject arr = CBORObject.NewArray();
        arr.Add(CBORObject.FromObject(protectedHeader));
        arr.Add(CBORObject.NewMap());
        arr.Add(CBORObject.FromObject(payload));
        arr.Add(CBORObject.FromObject(signature));
        byte[] enc = CBORObject.FromObjectAndTag(arr, TAG).EncodeToBytes();
        return new CoseSign1(enc, protectedHeader.clone(), payload.clone(), signature.clone(), alg);
    }

    /** The algorithm from the protected header. */
    public CoseAlgorithm algorithm() {
        return algorithm;
    }

    /** The payload bytes (a copy). */
    public byte[] payload() {
        return payload.clone();
    }

    /** The serialized protected header (a copy). */
    public byte[] protectedHeader() {
        return protectedHeader.clone();
    }

    /** The signature field as received (a copy). */
    public byte[] signature() {
        return signature.clone();
    }

    /** The whole COSE_Sign1 exactly as received or produced (a copy). */
    public byte[] encoded() {
        return encoded.clone();
    }

    byte[] signatureRef() {
        return signature;
    }

    @Override
    public String toString() {
        return "CoseSign1[" + algorithm + ", payload " + payload.length + " B, signature " + signature.length + " B]";
    }

    private static CBORObject cbor(byte[] bytes, String what) throws CoseFormatException {
        try {
            return BoundedCbor.decode(bytes);
        } catch (BoundedCbor.Malformed e) {
            throw new CoseFormatException(what + ": " + e.getMessage());
        }
    }

    private static byte[] bstr(CBORObject o, String what) throws CoseFormatException {
        if (o.getType() != CBORType.ByteString || o.isTagged()) {
            throw new CoseFormatException("COSE_Sign1: " + what + " must be a byte string, got " + describe(o));
        }
        return o.GetByteString();
    }

    static String describe(CBORObject o) {
        return o.isTagged() ? "tagged " + o.getType() : String.valueOf(o.getType());
    }
}
