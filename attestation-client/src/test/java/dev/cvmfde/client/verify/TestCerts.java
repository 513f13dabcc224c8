package dev.cvmfde.client.verify;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** X.509 test certificates made with Bouncy Castle from keys generated per run (never stored). */
final class TestCerts {
    private static final AtomicLong SERIAL = new AtomicLong(1);

    private TestCerts() {
    }

    /**
     * A certificate for {@code subjectKeys} issued by {@code issuerKeys}; {@code ca} sets
     * basicConstraints CA:true and keyCertSign; valid from {@code from} for {@code validity}.
     */
    static X509Certificate issue(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys, boolean ca,
            Instant from, Duration validity) throws Exception {
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=" + issuer),
                BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(from), Date.from(from.plus(validity)),
                new X500Name("CN=" + subject), subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.digitalSignature
                : KeyUsage.digitalSignature));
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA384withECDSA").build(issuerKeys.getPrivate())));
    }

    static X509Certificate root(String name, KeyPair keys) throws Exception {
        return issue(name, keys, name, keys, true, Instant.now().minus(Duration.ofDays(1)), Duration.ofDays(3650));
    }

    static String pem(X509Certificate... certs) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : certs) {
            sb.append("-----BEGIN CERTIFICATE-----\n")
                    .append(java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(c.getEncoded()))
                    .append("\n-----END CERTIFICATE-----\n");
        }
        return sb.toString();
    }
}
