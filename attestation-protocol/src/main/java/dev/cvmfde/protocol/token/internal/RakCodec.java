package dev.cvmfde.protocol.token.internal;

import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import dev.cvmfde.protocol.cose.internal.BoundedCbor;
import dev.cvmfde.protocol.token.RakEncoding;
import dev.cvmfde.protocol.token.RealmAttestationKey;
import dev.cvmfde.protocol.token.TokenDecodeException;
import dev.cvmfde.protocol.token.TokenDecodeException.Failure;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * Reads and writes claim 44237. The three encodings cannot be confused: a raw point starts
 * with 0x04, a COSE_Key is a CBOR map (0xa0–0xbb), a DER SPKI starts with 0x30.
 */
public final class RakCodec {

    private static final String WHERE = "realm claim 44237 (public key)";
    private static final int COSE_KTY = 1, COSE_CRV = -1, COSE_X = -2, COSE_Y = -3;
    private static final int KTY_EC2 = 2;

    private RakCodec() {
    }

    public static RealmAttestationKey parse(byte[] b) throws TokenDecodeException {
        if (b.length == 0) {
            throw new TokenDecodeException(Failure.BAD_KEY, WHERE, "empty");
        }
        int first = b[0] & 0xff;
        if (first == 0x04) {
            return new RealmAttestationKey(b, RakEncoding.RAW_EC_POINT, rawPoint(b));
        }
        if (first >= 0xa0 && first <= 0xbb) {
            return new RealmAttestationKey(b, RakEncoding.COSE_KEY, coseKey(b));
        }
        if (first == 0x30) {
            return new RealmAttestationKey(b, RakEncoding.DER_SPKI, spki(b));
        }
        throw new TokenDecodeException(Failure.BAD_KEY, WHERE, "first byte 0x" + Integer.toHexString(first)
                + " is none of 0x04 (raw EC point), a CBOR map (COSE_Key), 0x30 (DER SPKI)");
    }

    private static PublicKey rawPoint(byte[] b) throws TokenDecodeException {
        Curves.Curve curve = Curves.byRawPointLength(b.length);
        if (curve == null) {
            throw new TokenDecodeException(Failure.BAD_KEY, WHERE, "raw EC point is " + b.length
                    + " bytes; expected 65 (P-256), 97 (P-384) or 133 (P-521)");
        }
        int n = curve.fieldBytes();
        return ecKey(curve, Arrays.copyOfRange(b, 1, 1 + n), Arrays.copyOfRange(b, 1 + n, 1 + 2 * n));
    }

    private static PublicKey coseKey(byte[] b) throws TokenDecodeException {
        CBORObject m;
        try {
            m = BoundedCbor.decode(b);
        } catch (BoundedCbor.Malformed e) {
            throw new TokenDecodeException(Failure.BAD_KEY, WHERE, "COSE_Key: " + e.getMessage());
        }
        if (m.getType() != CBORType.Map || m.isTagged()) {
            throw new TokenDecodeException(Failure.BAD_KEY, WHERE, "COSE_Key is not a map");
        }
        CBORObject kty = m.get(CBORObject.FromObject(COSE_KTY));
        CBORObject crv = m.get(CBORObject.FromObject(COSE_CRV));
        if (kty == null || kty.getType() != CBORType.Integer || !kty.CanValueFitInInt32()
                || kty.AsInt32Value() != KTY_EC2) {
            throw new TokenDecodeException(Failure.BAD_KEY, WHERE, "COSE_Key kty must be 2 (EC2)");
        }
        Curves.Curve curve = crv != null && crv.getType() == CBORType.Integer && crv.CanValueFitInInt32()
                ? Curves.byCoseCurve(crv.AsInt32Value()) : null;
        if (curve == null) {
            throw new TokenDecodeException(Failure.BAD_KEY, WHERE, "COSE_Key crv must be 1, 2 or 3 (P-256/384/521)");
        }
        byte[] x = coord(m, COSE_X, curve), y = coord(m, COSE_Y, curve);
        return ecKey(curve, x, y);
    }

    private static byte[] coord(CBORObject m, int label, Curves.Curve curve) throws TokenDecodeException {
        CBORObject c = m.get(CBORObject.FromObject(label));
        if (c == null || c.getType() != CBORType.ByteString || c.GetByteString().length != curve.fieldBytes()) {
            throw new TokenDecodeException(Failure.BAD_KEY, WHERE, "COSE_Key label " + label + " must be a "
                    + curve.fieldBytes() + "-byte string for " + curve.name());
        }
        return c.GetByteString();
    }

    private static PublicKey ecKey(Curves.Curve curve, byte[] x, byte[] y) throws TokenDecodeException {
        ECParameterSpec spec = curve.spec();
        BigInteger bx = new BigInteger(1, x), by = new BigInteger(1, y);
        if (!Curves.onCurve(spec, bx, by)) {
            throw new TokenDecodeException(Failure.BAD_KEY, WHERE, "point is not on " + curve.name());
        }
        try {
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(bx, by), spec));
        } catch (GeneralSecurityException e) {
            throw new TokenDecodeException(Failure.BAD_KEY, WHERE, curve.name() + " key rejected: " + e.getMessage());
        }
    }

    private static PublicKey spki(byte[] b) throws TokenDecodeException {
        for (String alg : new String[] {"RSA", "EC"}) {
            try {
                PublicKey k = KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(b));
                if (Arrays.equals(k.getEncoded(), b)) {
                    return k;
                }
            } catch (GeneralSecurityException | RuntimeException e) {
                // try the next key type; the error below names both
            }
        }
        throw new TokenDecodeException(Failure.BAD_KEY, WHERE, "DER SubjectPublicKeyInfo is neither an RSA nor an EC key");
    }

    public static byte[] encode(PublicKey key, RakEncoding encoding) {
        return switch (encoding) {
            case DER_SPKI -> key.getEncoded();
            case RAW_EC_POINT -> {
                ECPublicKey ec = ecOnly(key);
                int n = Curves.fieldBytes(ec);
                byte[] out = new byte[1 + 2 * n];
                out[0] = 0x04;
                Curves.put(ec.getW().getAffineX(), out, 1, n);
                Curves.put(ec.getW().getAffineY(), out, 1 + n, n);
                yield out;
            }
            case COSE_KEY -> {
                ECPublicKey ec = ecOnly(key);
                int n = Curves.fieldBytes(ec);
                byte[] x = new byte[n], y = new byte[n];
                Curves.put(ec.getW().getAffineX(), x, 0, n);
                Curves.put(ec.getW().getAffineY(), y, 0, n);
                CBORObject m = CBORObject.NewOrderedMap();
                m.Add(COSE_KTY, KTY_EC2).Add(COSE_CRV, Curves.coseCurve(n)).Add(COSE_X, x).Add(COSE_Y, y);
                yield m.EncodeToBytes();
            }
        };
    }

    private static ECPublicKey ecOnly(PublicKey key) {
        if (key instanceof ECPublicKey ec) {
            return ec;
        }
        throw new IllegalArgumentException("a " + key.getAlgorithm() + " key can only be encoded as DER_SPKI");
    }
}
