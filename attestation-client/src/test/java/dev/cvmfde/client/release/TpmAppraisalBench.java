package dev.cvmfde.client.release;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.client.verify.Affirming;
import dev.cvmfde.client.verify.Appraisal;
import dev.cvmfde.client.verify.CredentialActivation;
import dev.cvmfde.client.verify.TpmCredential;
import dev.cvmfde.client.verify.Verifier;
import dev.cvmfde.protocol.release.EphemeralKeys;
import dev.cvmfde.protocol.tpm.TpmEvidenceBlob;
import dev.cvmfde.protocol.tpm.TpmPublic;
import dev.cvmfde.protocol.wire.ChallengeBinding;
import dev.cvmfde.protocol.wire.CredentialChallenge;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.EvidenceRequest;
import dev.cvmfde.server.provider.RawEvidence;
import dev.cvmfde.server.provider.tpm.TpmProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * bench/tpm-appraisal: full appraisals of TPM evidence per second, in process, one thread. A real
 * swtpm makes {@code pool} pieces of evidence (each bound to its own nonce and ephemeral key; each
 * credential activated once by that TPM, which is the exchange's extra round and not timed); then
 * {@code Verifier.appraise} runs over them in a loop: decode, EK certificate PKIX chain, activation
 * compare, AK attributes, quote signature (ECDSA P-256), PCR digest, freshness, hash.json signature,
 * PCR selection, TCG2 log parse and replay, firmware PCRs, the boot allow-list and command line.
 * Every appraisal must affirm. It also writes one quote for the peer (tpm2_checkquote) to
 * {@code outDir}: ak.pem, quote.msg, quote.sig, qualification.hex.
 * Args: seconds pool outDir. Prints {@code ours=<appraisals/s>}.
 */
public final class TpmAppraisalBench {
    private TpmAppraisalBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args[0]);
        int pool = Integer.parseInt(args[1]);
        Path out = Files.createDirectories(Path.of(args[2]));
        SecureRandom random = new SecureRandom();
        try (TpmGuest guest = new TpmGuest(out.resolve("guest"), "kernel 6.6.0")) {
            ReleasePolicy policy = new ReleasePolicy(guest.ekRoot(), false, Optional.of(guest.signedBaseline()),
                    Optional.empty(), Set.of());
            TpmProvider provider = guest.provider();
            List<dev.cvmfde.client.verify.TpmEvidenceInput> inputs = new ArrayList<>();
            for (int i = 0; i < pool; i++) {
                EvidenceRequest request = EvidenceRequest.fresh(random);
                ECKey ephemeral = EphemeralKeys.generate().toPublicJWK();
                RawEvidence raw = provider.collect(ChallengeBinding.challenge(request.nonce(), ephemeral));
                Evidence evidence = new Evidence(raw.token(), raw.eventLog(), raw.certificateChain(), ephemeral,
                        TpmProvider.NAME);
                TpmCredential credential = TpmCredential.forEvidence(evidence.token(), evidence.certChain(), random);
                CredentialChallenge c = credential.challenge();
                CredentialActivation activation = credential.answered(provider.activateCredential(c.credentialBlob(),
                        c.encryptedSecret()));
                inputs.add(policy.tpmInput(request.nonce(), evidence, activation));
                if (i == 0) {
                    peerFiles(out, raw, ChallengeBinding.challenge(request.nonce(), ephemeral));
                }
            }
            for (int i = 0; i < Math.min(200, pool * 4); i++) { // warm-up
                check(Verifier.appraise(inputs.get(i % pool)));
            }
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            long start = System.nanoTime();
            long n = 0;
            while (System.nanoTime() < end) {
                check(Verifier.appraise(inputs.get((int) (n % pool))));
                n++;
            }
            double rate = n / ((System.nanoTime() - start) / 1e9);
            System.out.printf("appraisals=%d pool=%d seconds=%d%n", n, pool, seconds);
            System.out.printf("ours=%.1f%n", rate);
        }
    }

    private static void check(Appraisal a) {
        if (!(a instanceof Affirming)) {
            throw new IllegalStateException("a genuine appraisal was refused: " + a.failures());
        }
    }

    private static void peerFiles(Path out, RawEvidence raw, byte[] qualification) throws Exception {
        TpmEvidenceBlob blob = TpmEvidenceBlob.decode(raw.token());
        TpmPublic ak = TpmPublic.parse(blob.akPublic());
        Files.writeString(out.resolve("ak.pem"), "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(ak.publicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        Files.write(out.resolve("quote.msg"), blob.quote());
        Files.write(out.resolve("quote.sig"), blob.signature());
        Files.writeString(out.resolve("qualification.hex"), HexFormat.of().formatHex(qualification));
    }
}
