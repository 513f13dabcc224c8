package dev.cvmfde.client.release;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import javax.crypto.KeyAgreement;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * bench/release-latency, crypto part: CPU milliseconds per EC operation (key generation, ECDSA
 * sign, verify, ECDH) for the JDK's SunEC and Bouncy Castle, P-384 and P-256, in this JVM, each
 * with keys of its own provider. Thread CPU time, after a warm-up, so that other load on the
 * machine counts less than in wall time.
 */
public final class EcProviderBench {
    private EcProviderBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Provider bc = new BouncyCastleProvider();
        for (String curve : new String[] {"secp384r1", "secp256r1"}) {
            for (Provider p : new Provider[] {null, bc}) {
                measure(curve, p, n / 3); // warm-up
                double[] ms = measure(curve, p, n);
                System.out.printf("ec %s %-5s keygen_ms=%.2f sign_ms=%.2f verify_ms=%.2f ecdh_ms=%.2f%n",
                        curve.equals("secp384r1") ? "P-384" : "P-256", p == null ? "SunEC" : "BC", ms[0], ms[1], ms[2],
                        ms[3]);
            }
        }
    }

    private static double[] measure(String curve, Provider p, int n) throws Exception {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        String alg = curve.equals("secp384r1") ? "SHA384withECDSA" : "SHA256withECDSA";
        KeyPairGenerator g = p == null ? KeyPairGenerator.getInstance("EC") : KeyPairGenerator.getInstance("EC", p);
        g.initialize(new ECGenParameterSpec(curve));
        KeyPair a = g.generateKeyPair();
        KeyPair b = g.generateKeyPair();
        byte[] msg = new byte[1024];
        double[] out = new double[4];
        long t = cpu.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            g.generateKeyPair();
        }
        out[0] = lap(cpu, t, n);
        t = cpu.getCurrentThreadCpuTime();
        byte[] sig = null;
        for (int i = 0; i < n; i++) {
            Signature s = p == null ? Signature.getInstance(alg) : Signature.getInstance(alg, p);
            s.initSign(a.getPrivate());
            s.update(msg);
            sig = s.sign();
        }
        out[1] = lap(cpu, t, n);
        t = cpu.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            Signature s = p == null ? Signature.getInstance(alg) : Signature.getInstance(alg, p);
            s.initVerify(a.getPublic());
            s.update(msg);
            if (!s.verify(sig)) {
                throw new IllegalStateException("signature did not verify");
            }
        }
        out[2] = lap(cpu, t, n);
        t = cpu.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            KeyAgreement k = p == null ? KeyAgreement.getInstance("ECDH") : KeyAgreement.getInstance("ECDH", p);
            k.init(a.getPrivate());
            k.doPhase(b.getPublic(), true);
            k.generateSecret();
        }
        out[3] = lap(cpu, t, n);
        return out;
    }

    private static double lap(ThreadMXBean cpu, long start, int n) {
        return (cpu.getCurrentThreadCpuTime() - start) / 1e6 / n;
    }
}
