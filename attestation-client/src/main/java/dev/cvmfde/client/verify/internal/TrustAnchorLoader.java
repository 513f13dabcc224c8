package dev.cvmfde.client.verify.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import dev.cvmfde.client.verify.TrustAnchor;
import dev.cvmfde.client.verify.TrustAnchorException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads trust anchors in the forms {@link TrustAnchor#load} documents. */
public final class TrustAnchorLoader {
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----");

    private TrustAnchorLoader() {
    }

    public static TrustAnchor load(Path file) throws IOException, TrustAnchorException {
        return parse(read(file), file.toString());
    }

    public static TrustAnchor load(Path chainFile, Path rootFile) throws IOException, TrustAnchorException {
        List<X509Certificate> chain = certificates(read(chainFile), chainFile.toString());
        List<X509Certificate> roots = certificates(read(rootFile), rootFile.toString());
        if (roots.size() != 1) {
            throw new TrustAnchorException(rootFile + ": holds " + roots.size() + " certificates; the root file must hold exactly one");
        }
        return chain(chain, roots.getFirst(), chainFile.toString());
    }

    public static TrustAnchor.TpmEkRoot loadTpmEkRoot(Path file) throws IOException, TrustAnchorException {
        String name = file.toString();
        byte[] bytes = read(file);
        if (new String(bytes, StandardCharsets.ISO_8859_1).contains("PRIVATE")) {
            throw new TrustAnchorException(name + ": holds a private key; the TPM EK root is a certificate");
        }
        List<X509Certificate> certs = certificates(bytes, name);
        X509Certificate root = certs.getLast();
        if (!selfSigned(root)) {
            throw new TrustAnchorException(name + ": the last certificate (" + root.getSubjectX500Principal()
                    + ") is not a self-signed root; give intermediates first and the root last");
        }
        return new TrustAnchor.TpmEkRoot(root, certs.subList(0, certs.size() - 1));
    }

    public static TrustAnchor parse(byte[] bytes, String name) throws TrustAnchorException {
        String text = new String(bytes, StandardCharsets.ISO_8859_1).strip();
        if (text.startsWith("{")) {
            return jwk(new String(bytes, StandardCharsets.UTF_8), name);
        }
        Matcher m = PEM.matcher(text);
        if (m.find()) {
            String label = m.group(1);
            if (label.contains("PRIVATE")) {
                throw new TrustAnchorException(name + ": holds a " + label + "; a trust anchor is public: give the "
                        + "public key (openssl pkey -pubout), a certificate chain or a public JWK");
            }
            if (label.equals("PUBLIC KEY")) {
                try {
                    return new TrustAnchor.Key(spki(pemBody(text, label), name), "PEM public key");
                } catch (IllegalArgumentException e) {
                    throw new TrustAnchorException(name + ": the PEM public key is not valid base64");
                }
            }
            if (label.equals("CERTIFICATE")) {
                List<X509Certificate> certs = certificates(bytes, name);
                return chain(certs, certs.getLast(), name);
            }
            throw new TrustAnchorException(name + ": PEM block \"" + label + "\" is not accepted; expected "
                    + "PUBLIC KEY or CERTIFICATE (or a JWK)");
        }
        try {
            List<X509Certificate> certs = certificates(bytes, name);
            return chain(certs, certs.getLast(), name);
        } catch (TrustAnchorException notCert) {
            try {
                return new TrustAnchor.Key(spki(bytes, name), "DER public key");
            } catch (TrustAnchorException notKey) {
                throw new TrustAnchorException(name + ": not a trust anchor; expected a PEM public key, PEM or DER "
                        + "X.509 certificates (leaf first, root last) or a public JWK");
            }
        }
    }

    private static TrustAnchor chain(List<X509Certificate> certs, X509Certificate root, String name)
            throws TrustAnchorException {
        if (certs.size() > TrustAnchor.MAX_CHAIN_CERTIFICATES) {
            throw new TrustAnchorException(name + ": " + certs.size() + " certificates; at most "
                    + TrustAnchor.MAX_CHAIN_CERTIFICATES + " are allowed");
        }
        if (certs.size() > 1 && certs.getLast() == root && !selfSigned(root)) {
            throw new TrustAnchorException(name + ": the last certificate (" + root.getSubjectX500Principal()
                    + ") is not a self-signed root; put the root last or give it apart with --trust-root");
        }
        return new TrustAnchor.CertificateChain(certs, root);
    }

    private static boolean selfSigned(X509Certificate c) {
        if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
            return false;
        }
        try {
            c.verify(c.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static List<X509Certificate> certificates(byte[] bytes, String name) throws TrustAnchorException {
        try {
            Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes));
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : all) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new TrustAnchorException(name + ": no X.509 certificate found");
            }
            if (out.size() > TrustAnchor.MAX_CHAIN_CERTIFICATES) {
                throw new TrustAnchorException(name + ": " + out.size() + " certificates; at most "
                        + TrustAnchor.MAX_CHAIN_CERTIFICATES + " are allowed");
            }
            return out;
        } catch (CertificateException | RuntimeException e) {
            throw new TrustAnchorException(name + ": not a readable X.509 certificate: " + e.getMessage());
        }
    }

    private static PublicKey spki(byte[] der, String name) throws TrustAnchorException {
        for (String alg : List.of("EC", "RSA")) {
            try {
                return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException e) {
                // try the next key type
            }
        }
        throw new TrustAnchorException(name + ": not a DER SubjectPublicKeyInfo of an EC or RSA key");
    }

    private static byte[] pemBody(String text, String label) {
        int start = text.indexOf("-----BEGIN " + label + "-----") + label.length() + 16;
        int end = text.indexOf("-----END " + label + "-----", start);
        String b64 = text.substring(start, end < 0 ? text.length() : end).replaceAll("\\s", "");
        return Base64.getDecoder().decode(b64);
    }

    private static TrustAnchor jwk(String json, String name) throws TrustAnchorException {
        JWK jwk;
        try {
            jwk = JWK.parse(json);
        } catch (ParseException e) {
            throw new TrustAnchorException(name + ": looks like JSON but is not a JWK: " + e.getMessage());
        }
        if (jwk.isPrivate()) {
            throw new TrustAnchorException(name + ": the JWK has a private part; a trust anchor is public: remove "
                    + "\"d\" (and the other private members)");
        }
        try {
            PublicKey key = switch (jwk) {
                case ECKey ec -> ec.toECPublicKey();
                case RSAKey rsa -> rsa.toRSAPublicKey();
                default -> throw new TrustAnchorException(name + ": JWK key type " + jwk.getKeyType()
                        + " is not accepted; EC or RSA is required");
            };
            return new TrustAnchor.Key(key, "JWK");
        } catch (JOSEException e) {
            throw new TrustAnchorException(name + ": the JWK is not a valid public key: " + e.getMessage());
        }
    }

    private static byte[] read(Path file) throws IOException, TrustAnchorException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(TrustAnchor.MAX_TRUST_ANCHOR_BYTES + 1);
            if (b.length > TrustAnchor.MAX_TRUST_ANCHOR_BYTES) {
                throw new TrustAnchorException(file + ": larger than MAX_TRUST_ANCHOR_BYTES="
                        + TrustAnchor.MAX_TRUST_ANCHOR_BYTES);
            }
            return b;
        }
    }

    /** First 8 bytes of SHA-256 over the key's DER encoding, hex (a public fingerprint). */
    public static String fingerprint(PublicKey key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return "sha256:" + HexFormat.of().formatHex(d, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
