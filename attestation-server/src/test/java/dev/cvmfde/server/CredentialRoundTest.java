package dev.cvmfde.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.protocol.tpm.MakeCredential;
import dev.cvmfde.protocol.tpm.Swtpm;
import dev.cvmfde.protocol.tpm.TpmEvidenceBlob;
import dev.cvmfde.protocol.tpm.TpmPublic;
import dev.cvmfde.protocol.wire.CredentialChallenge;
import dev.cvmfde.protocol.wire.CredentialResponse;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.server.provider.tpm.TpmProvider;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session's credential round: answered once for TPM evidence, refused otherwise; the server keeps serving. */
class CredentialRoundTest {
    @TempDir
    static Path dir;
    static Swtpm swtpm;
    static Path log;

    @BeforeAll
    static void start() throws Exception {
        swtpm = Swtpm.start(dir.resolve("swtpm"));
        log = Files.write(dir.resolve("log.bin"), new byte[] {1});
    }

    @AfterAll
    static void stop() throws Exception {
        swtpm.close();
    }

    private static CredentialChallenge challengeFor(Evidence evidence, byte[] secret) throws Exception {
        byte[] name = TpmPublic.parse(TpmEvidenceBlob.decode(evidence.token()).akPublic()).name();
        RSAPublicKey ek = (RSAPublicKey) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(evidence.certChain().getFirst())).getPublicKey();
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        MakeCredential.Blob blob = MakeCredential.make(ek, name, secret, seed);
        return new CredentialChallenge(blob.credentialBlob(), blob.encryptedSecret());
    }

    @Test
    void session_tpmProvider_answersOneChallengeThenClosesOnASecond() throws Exception {
        RecordingSink sink = new RecordingSink(k -> UnlockOutcome.unlocked("test"));
        try (RunningServer server = AttestationServer.start(ServerConfig.of(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new TpmProvider(swtpm.device(), log),
                VerifierTrust.insecureAnyVerifier(), sink));
                TestVerifier client = TestVerifier.connect(server.localAddress())) {
            Evidence evidence = client.requestEvidence();
            assertEquals(TpmProvider.NAME, evidence.provider());
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            client.writer.write(challengeFor(evidence, secret));
            CredentialResponse answer = (CredentialResponse) client.reader.read(Expect.HOST_AWAITING_CREDENTIAL);
            assertArrayEquals(secret, answer.secret());
            client.writer.write(challengeFor(evidence, secret));
            assertTrue(client.closedByServer(Duration.ofSeconds(10)), "a second challenge must close the session");
            assertTrue(server.isServing());
        }
    }

    @Test
    void session_nonTpmProvider_challengeClosesConnectionServerKeepsServing() throws Exception {
        RecordingSink sink = new RecordingSink(k -> UnlockOutcome.unlocked("test"));
        try (RunningServer server = AttestationServer.start(ServerConfig.of(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new FakeTeeProvider(),
                VerifierTrust.insecureAnyVerifier(), sink))) {
            try (TestVerifier client = TestVerifier.connect(server.localAddress())) {
                client.requestEvidence();
                client.writer.write(new CredentialChallenge(new byte[68], new byte[256]));
                assertTrue(client.closedByServer(Duration.ofSeconds(10)));
            }
            try (TestVerifier next = TestVerifier.connect(server.localAddress())) {
                assertTrue(next.requestEvidence().token().length > 0, "the next verifier still gets evidence");
            }
        }
    }
}
