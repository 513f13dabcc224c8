package dev.cvmfde.client.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trust-anchor forms, clear errors for the wrong ones, and PKIX chain validation at verification time. */
class TrustAnchorTest {
    @TempDir
    Path dir;

    private final TestEvidence.Scenario s = new TestEvidence.Scenario();

    private Appraisal appraise(TrustAnchor anchor) throws Exception {
        return Verifier.appraise(EvidenceInput.builder(s.token(), anchor).expectedChallenge(s.challenge)
                .insecure(TestEvidence.TOKEN_ONLY).build());
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void load_pemPublicKey_keyAnchorThatVerifies() throws Exception {
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(s.cpak.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";

        TrustAnchor a = TrustAnchor.load(write("cpak.pem", pem));

        assertInstanceOf(TrustAnchor.Key.class, a);
        assertInstanceOf(Affirming.class, appraise(a));
    }

    @Test
    void load_publicJwk_keyAnchorThatVerifies() throws Exception {
        String jwk = new ECKey.Builder(Curve.P_384, (java.security.interfaces.ECPublicKey) s.cpak.getPublic()).build()
                .toJSONString();

        assertInstanceOf(Affirming.class, appraise(TrustAnchor.load(write("cpak.jwk", jwk))));
    }

    @Test
    void load_privateJwk_refusedWithClearError() throws Exception {
        String jwk = new ECKey.Builder(Curve.P_384, (java.security.interfaces.ECPublicKey) s.cpak.getPublic())
                .privateKey(s.cpak.getPrivate()).build().toJSONString();

        TrustAnchorException e = assertThrows(TrustAnchorException.class, () -> TrustAnchor.load(write("k.jwk", jwk)));
        assertTrue(e.getMessage().contains("private"), e.getMessage());
    }

    @Test
    void load_privateKeyPem_refusedWithClearError() throws Exception {
        Path p = write("k.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        assertThrows(TrustAnchorException.class, () -> TrustAnchor.load(p));
    }

    @Test
    void load_garbage_refusedNamingTheForms() throws Exception {
        TrustAnchorException e = assertThrows(TrustAnchorException.class,
                () -> TrustAnchor.load(write("x.bin", "hello world")));
        assertTrue(e.getMessage().contains("JWK"), e.getMessage());
    }

    @Test
    void load_validChainLeafToRoot_affirms() throws Exception {
        KeyPair rootKeys = TestEvidence.ec("secp384r1");
        KeyPair caKeys = TestEvidence.ec("secp384r1");
        X509Certificate root = TestCerts.root("Test Root", rootKeys);
        X509Certificate ca = TestCerts.issue("Test CA", caKeys, "Test Root", rootKeys, true,
                Instant.now().minus(Duration.ofDays(1)), Duration.ofDays(365));
        X509Certificate leaf = TestCerts.issue("Test CPAK", s.cpak, "Test CA", caKeys, false,
                Instant.now().minus(Duration.ofDays(1)), Duration.ofDays(30));

        TrustAnchor a = TrustAnchor.load(write("chain.pem", TestCerts.pem(leaf, ca, root)));

        assertInstanceOf(TrustAnchor.CertificateChain.class, a);
        Appraisal result = appraise(a);
        assertInstanceOf(Affirming.class, result, () -> VerdictTable.render(result));
    }

    @Test
    void appraise_expiredLeafCertificate_refusedAtPlatformSignature() throws Exception {
        KeyPair rootKeys = TestEvidence.ec("secp384r1");
        X509Certificate root = TestCerts.root("Test Root", rootKeys);
        X509Certificate leaf = TestCerts.issue("Test CPAK", s.cpak, "Test Root", rootKeys, false,
                Instant.now().minus(Duration.ofDays(60)), Duration.ofDays(30));

        Refused r = assertInstanceOf(Refused.class, appraise(new TrustAnchor.CertificateChain(List.of(leaf), root)));

        assertEquals(List.of(Stage.PLATFORM_SIGNATURE), r.failedStages());
    }

    @Test
    void appraise_chainToOtherRoot_refusedAtPlatformSignature() throws Exception {
        KeyPair rootKeys = TestEvidence.ec("secp384r1");
        KeyPair otherKeys = TestEvidence.ec("secp384r1");
        X509Certificate leaf = TestCerts.issue("Test CPAK", s.cpak, "Test Root", rootKeys, false,
                Instant.now().minus(Duration.ofDays(1)), Duration.ofDays(30));
        Path chain = write("leaf.pem", TestCerts.pem(leaf));
        Path other = write("other-root.pem", TestCerts.pem(TestCerts.root("Test Root", otherKeys)));

        Refused r = assertInstanceOf(Refused.class, appraise(TrustAnchor.load(chain, other)));

        assertEquals(List.of(Stage.PLATFORM_SIGNATURE), r.failedStages());
    }

    @Test
    void appraise_intermediateNotACa_refusedAtPlatformSignature() throws Exception {
        KeyPair rootKeys = TestEvidence.ec("secp384r1");
        KeyPair midKeys = TestEvidence.ec("secp384r1");
        X509Certificate root = TestCerts.root("Test Root", rootKeys);
        X509Certificate mid = TestCerts.issue("Not A CA", midKeys, "Test Root", rootKeys, false,
                Instant.now().minus(Duration.ofDays(1)), Duration.ofDays(365));
        X509Certificate leaf = TestCerts.issue("Test CPAK", s.cpak, "Not A CA", midKeys, false,
                Instant.now().minus(Duration.ofDays(1)), Duration.ofDays(30));

        Refused r = assertInstanceOf(Refused.class, appraise(new TrustAnchor.CertificateChain(List.of(leaf, mid), root)));

        assertEquals(List.of(Stage.PLATFORM_SIGNATURE), r.failedStages());
        assertEquals(Check.Outcome.FAIL, r.checks().stream().filter(c -> c.name().equals("trust-anchor")).findFirst()
                .orElseThrow().outcome());
    }

    @Test
    void load_chainWhoseLastIsNotSelfSigned_refusedWithHint() throws Exception {
        KeyPair rootKeys = TestEvidence.ec("secp384r1");
        KeyPair caKeys = TestEvidence.ec("secp384r1");
        X509Certificate ca = TestCerts.issue("Test CA", caKeys, "Test Root", rootKeys, true,
                Instant.now().minus(Duration.ofDays(1)), Duration.ofDays(365));
        X509Certificate leaf = TestCerts.issue("Test CPAK", s.cpak, "Test CA", caKeys, false,
                Instant.now().minus(Duration.ofDays(1)), Duration.ofDays(30));
        Path p = write("chain.pem", TestCerts.pem(leaf, ca));

        TrustAnchorException e = assertThrows(TrustAnchorException.class, () -> TrustAnchor.load(p));
        assertTrue(e.getMessage().contains("--trust-root"), e.getMessage());
    }

    @Test
    void load_oversizedFile_refused() throws Exception {
        Path p = Files.write(dir.resolve("big.pem"), new byte[TrustAnchor.MAX_TRUST_ANCHOR_BYTES + 1]);

        assertThrows(TrustAnchorException.class, () -> TrustAnchor.load(p));
    }

    @Test
    void load_publishedVectorJwkAndPem_sameKey() throws Exception {
        TrustAnchor jwk = TestEvidence.anchorResource("veraison-tfrmm-cpak-p384.pub.jwk.json");
        TrustAnchor pem = TestEvidence.anchorResource("tfrmm-cpak-p384.pub.pem");

        assertEquals(new String(Base64.getEncoder().encode(jwk.signingKey().getEncoded()), StandardCharsets.US_ASCII),
                new String(Base64.getEncoder().encode(pem.signingKey().getEncoded()), StandardCharsets.US_ASCII));
    }
}
