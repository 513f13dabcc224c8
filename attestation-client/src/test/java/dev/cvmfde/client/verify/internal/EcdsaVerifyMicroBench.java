package dev.cvmfde.client.verify.internal;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;

/**
 * Single-thread P-384 verifies/s of one signature over 600 bytes with the same key, five ways:
 * JDK SunEC; Bouncy Castle JCA with the key parsed anew each time (what the verifier did before
 * it cached parsed keys); BC JCA with one cached key object; BC's low-level {@code ECDSASigner}
 * with a cached and with a fresh point. Prints verifies per wall second and per second of this
 * thread's CPU time (steadier on a shared host). Not a unit test; for the module README's Performance
 * section. Run: {@code java -cp attestation-client/target/test-classes:attestation-client/target/classes:attestation-client/target/lib/*
 * dev.cvmfde.client.verify.internal.EcdsaVerifyMicroBench [seconds=3]}.
 */
public final class EcdsaVerifyMicroBench {
    private EcdsaVerifyMicroBench() {
    }

    private interface Verify {
        boolean run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair kp = g.generateKeyPair();
        byte[] msg = new byte[600];
        new SecureRandom().nextBytes(msg);
        Signature signer = Signature.getInstance("SHA384withECDSA");
        signer.initSign(kp.getPrivate());
        signer.update(msg);
        byte[] der = signer.sign();
        byte[] spki = kp.getPublic().getEncoded();
        PublicKey cached = KeyFactory.getInstance("EC", EcdsaProvider.INSTANCE).generatePublic(new X509EncodedKeySpec(spki));

        run("jdk-sunec", seconds, () -> {
            Signature v = Signature.getInstance("SHA384withECDSA");
            v.initVerify(kp.getPublic());
            v.update(msg);
            return v.verify(der);
        });
        run("bc-jca-key-parsed-each-time", seconds, () -> {
            PublicKey k = KeyFactory.getInstance("EC", EcdsaProvider.INSTANCE).generatePublic(new X509EncodedKeySpec(spki));
            Signature v = Signature.getInstance("SHA384withECDSA", EcdsaProvider.INSTANCE);
            v.initVerify(k);
            v.update(msg);
            return v.verify(der);
        });
        run("bc-jca-cached-key", seconds, () -> {
            Signature v = Signature.getInstance("SHA384withECDSA", EcdsaProvider.INSTANCE);
            v.initVerify(cached);
            v.update(msg);
            return v.verify(der);
        });
        X9ECParameters x9 = CustomNamedCurves.getByName("secp384r1");
        ECDomainParameters dom = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH());
        java.security.spec.ECPoint w = ((ECPublicKey) kp.getPublic()).getW();
        ECPublicKeyParameters pub = new ECPublicKeyParameters(dom.getCurve().createPoint(w.getAffineX(), w.getAffineY()), dom);
        ASN1Sequence seq = ASN1Sequence.getInstance(der);
        BigInteger r = ASN1Integer.getInstance(seq.getObjectAt(0)).getValue();
        BigInteger s = ASN1Integer.getInstance(seq.getObjectAt(1)).getValue();
        run("bc-lowlevel-cached-point", seconds, () -> {
            ECDSASigner v = new ECDSASigner();
            v.init(false, pub);
            return v.verifySignature(sha384(msg), r, s);
        });
        run("bc-lowlevel-fresh-point", seconds, () -> {
            ECDSASigner v = new ECDSASigner();
            v.init(false, new ECPublicKeyParameters(dom.getCurve().createPoint(w.getAffineX(), w.getAffineY()), dom));
            return v.verifySignature(sha384(msg), r, s);
        });
    }

    private static byte[] sha384(byte[] msg) {
        SHA384Digest d = new SHA384Digest();
        d.update(msg, 0, msg.length);
        byte[] h = new byte[48];
        d.doFinal(h, 0);
        return h;
    }

    private static void run(String name, int seconds, Verify v) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (!v.run()) {
                throw new IllegalStateException(name + " does not verify");
            }
        }
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long end = t0 + seconds * 1_000_000_000L;
        int n = 0;
        while (System.nanoTime() < end) {
            if (!v.run()) {
                throw new IllegalStateException(name + " does not verify");
            }
            n++;
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e9;
        System.out.printf("%s: %.0f verifies/s wall, %.0f per CPU second%n", name, n / wall, n / cpu);
    }
}
