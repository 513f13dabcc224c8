package dev.cvmfde.server.provider.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.protocol.tpm.MakeCredential;
import dev.cvmfde.protocol.tpm.PcrSelection;
import dev.cvmfde.protocol.tpm.Swtpm;
import dev.cvmfde.protocol.tpm.TpmConstants;
import dev.cvmfde.protocol.tpm.TpmEvidenceBlob;
import dev.cvmfde.protocol.tpm.TpmPublic;
import dev.cvmfde.protocol.tpm.TpmQuote;
import dev.cvmfde.protocol.tpm.TpmSignature;
import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.RawEvidence;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tpm provider and the hand-written TPM codec against a real swtpm. */
class TpmProviderTest {
    @TempDir
    static Path dir;
    static Swtpm swtpm;
    static Path log;

    @BeforeAll
    static void start() throws Exception {
        swtpm = Swtpm.start(dir);
        log = dir.resolve("binary_bios_measurements");
        Files.write(log, new byte[] {1, 2, 3});
    }

    @AfterAll
    static void stop() throws Exception {
        swtpm.close();
    }

    private static byte[] challenge(int v) {
        byte[] c = new byte[64];
        Arrays.fill(c, (byte) v);
        return c;
    }

    @Test
    void collect_swtpm_quoteSignedByAkOverReportedPcrsWithChallenge() throws Exception {
        try (Tpm tpm = new Tpm(TpmTransport.open(swtpm.device()))) {
            tpm.pcrExtend(9, MessageDigest.getInstance("SHA-256").digest("kernel".getBytes()));
        }
        RawEvidence ev = new TpmProvider(swtpm.device(), log).collect(challenge(7));
        TpmEvidenceBlob blob = TpmEvidenceBlob.decode(ev.token());
        TpmPublic ak = TpmPublic.parse(blob.akPublic());
        TpmQuote quote = TpmQuote.parse(blob.quote());
        assertEquals(TpmConstants.TPM_GENERATED_VALUE, quote.magic());
        assertArrayEquals(challenge(7), quote.extraData());
        assertTrue(TpmSignature.parse(blob.signature()).verify(ak.publicKey(), blob.quote()));
        assertEquals(new TreeSet<>(TpmProvider.QUOTED_PCRS), quote.selection().getFirst().pcrs());
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        blob.pcrValues().forEach(md::update);
        assertArrayEquals(quote.pcrDigest(), md.digest());
        assertArrayEquals(new byte[] {1, 2, 3}, ev.eventLog().orElseThrow());
        X509Certificate ek = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(ev.certificateChain().getFirst()));
        assertEquals("RSA", ek.getPublicKey().getAlgorithm());
    }

    @Test
    void activateCredential_madeForThisEkAndAk_returnsSecret() throws Exception {
        TpmProvider provider = new TpmProvider(swtpm.device(), log);
        RawEvidence ev = provider.collect(challenge(1));
        byte[] name = TpmPublic.parse(TpmEvidenceBlob.decode(ev.token()).akPublic()).name();
        RSAPublicKey ek = (RSAPublicKey) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(ev.certificateChain().getFirst())).getPublicKey();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        MakeCredential.Blob blob = MakeCredential.make(ek, name, secret, seed);
        assertArrayEquals(secret, provider.activateCredential(blob.credentialBlob(), blob.encryptedSecret()));
    }

    @Test
    void activateCredential_otherAkName_rejectedByTpm() throws Exception {
        TpmProvider provider = new TpmProvider(swtpm.device(), log);
        RawEvidence ev = provider.collect(challenge(2));
        byte[] name = TpmPublic.parse(TpmEvidenceBlob.decode(ev.token()).akPublic()).name();
        name[5] ^= 1;
        RSAPublicKey ek = (RSAPublicKey) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(ev.certificateChain().getFirst())).getPublicKey();
        MakeCredential.Blob blob = MakeCredential.make(ek, name, new byte[32], new byte[32]);
        EvidenceException e = assertThrows(EvidenceException.class,
                () -> provider.activateCredential(blob.credentialBlob(), blob.encryptedSecret()));
        assertEquals(EvidenceException.Kind.REJECTED, e.kind());
    }

    @Test
    void pcrRead_moreThanEightPcrs_allReturnedInOrder() throws Exception {
        try (Tpm tpm = new Tpm(TpmTransport.open(swtpm.device()))) {
            List<byte[]> values = tpm.pcrRead(new PcrSelection(TpmConstants.TPM_ALG_SHA256,
                    new TreeSet<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14))));
            assertEquals(12, values.size());
        }
    }

    @Test
    void collect_noDevice_unavailableWithAdvice() {
        EvidenceException e = assertThrows(EvidenceException.class,
                () -> new TpmProvider(dir.resolve("no-tpmrm0").toString(), log).collect(challenge(3)));
        assertEquals(EvidenceException.Kind.UNAVAILABLE, e.kind());
    }
}
