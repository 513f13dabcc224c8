package dev.cvmfde.protocol.token.internal;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECFieldFp;

/** The three NIST curves a RAK may use, with the lookups {@link RakCodec} needs. */
final class Curves {

    /** One curve; {@code spec} is looked up once, since the JCA lookup dominates decoding time. */
    record Curve(String name, int fieldBytes, int coseCurve, ECParameterSpec spec) {
        Curve(String name, String stdName, int fieldBytes, int coseCurve) {
            this(name, fieldBytes, coseCurve, lookUp(stdName));
        }

        private static ECParameterSpec lookUp(String stdName) {
            try {
                AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
                p.init(new ECGenParameterSpec(stdName));
                return p.getParameterSpec(ECParameterSpec.class);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("JDK lacks " + stdName, e);
            }
        }
    }

    private static final Curve[] CURVES = {
        new Curve("P-256", "secp256r1", 32, 1),
        new Curve("P-384", "secp384r1", 48, 2),
        new Curve("P-521", "secp521r1", 66, 3),
    };

    private Curves() {
    }

    static Curve byRawPointLength(int len) {
        for (Curve c : CURVES) {
            if (len == 1 + 2 * c.fieldBytes()) {
                return c;
            }
        }
        return null;
    }

    static Curve byCoseCurve(int crv) {
        for (Curve c : CURVES) {
            if (c.coseCurve() == crv) {
                return c;
            }
        }
        return null;
    }

    static int coseCurve(int fieldBytes) {
        for (Curve c : CURVES) {
            if (c.fieldBytes() == fieldBytes) {
                return c.coseCurve();
            }
        }
        throw new IllegalArgumentException("EC key on a " + fieldBytes * 8 + "-bit curve; only P-256/384/521 are used");
    }

    static int fieldBytes(ECPublicKey k) {
        return (k.getParams().getCurve().getField().getFieldSize() + 7) / 8;
    }

    static boolean onCurve(ECParameterSpec spec, BigInteger x, BigInteger y) {
        BigInteger p = ((ECFieldFp) spec.getCurve().getField()).getP();
        if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return false;
        }
        BigInteger lhs = y.multiply(y).mod(p);
        BigInteger rhs = x.pow(3).add(spec.getCurve().getA().multiply(x)).add(spec.getCurve().getB()).mod(p);
        return lhs.equals(rhs);
    }

    /** Writes {@code v} big-endian, left-padded, into {@code n} bytes at {@code off}. */
    static void put(BigInteger v, byte[] out, int off, int n) {
        byte[] b = v.toByteArray();
        int skip = b.length > n ? b.length - n : 0;
        System.arraycopy(b, skip, out, off + n - (b.length - skip), b.length - skip);
    }
}
