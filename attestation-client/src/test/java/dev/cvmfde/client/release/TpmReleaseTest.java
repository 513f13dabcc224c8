package dev.cvmfde.client.release;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.client.verify.Affirming;
import dev.cvmfde.client.verify.Check;
import dev.cvmfde.client.verify.Insecure;
import dev.cvmfde.client.verify.Refused;
import dev.cvmfde.client.verify.Stage;
import dev.cvmfde.client.verify.TrustAnchor;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.protocol.secret.KeyFile;
import dev.cvmfde.protocol.tpm.TpmEvidenceBlob;
import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventDigest;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.server.RunningServer;
import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceProvider;
import dev.cvmfde.server.provider.MeasurementEvent;
import dev.cvmfde.server.provider.MeasurementExtension;
import dev.cvmfde.server.provider.RawEvidence;
import dev.cvmfde.server.provider.tpm.TpmProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TPM evidence end to end on loopback: the real attestation server with the real tpm provider on
 * a real swtpm (a measured boot's event log extended into it), the real release client and
 * verifier. The genuine guest gets its key; each attack is refused at its named stage.
 */
class TpmReleaseTest {
    @TempDir
    static Path dir;
    static TpmGuest guest;
    /** A second TPM, with its own EK and its own CA. */
    static TpmGuest other;

    @BeforeAll
    static void start() throws Exception {
        guest = new TpmGuest(dir.resolve("genuine"), "kernel 6.6.0");
        other = new TpmGuest(dir.resolve("other"), "kernel 6.6.0");
    }

    @AfterAll
    static void stop() throws Exception {
        guest.close();
        other.close();
    }

    private static ReleasePolicy policy(TrustAnchor root, Set<Insecure> insecure) throws Exception {
        return new ReleasePolicy(root, false, Optional.of(guest.signedBaseline()), Optional.empty(), insecure);
    }

    private static ReleaseOutcome release(EvidenceProvider provider, ReleasePolicy policy) throws Exception {
        try (RunningServer server = guest.startServer(provider);
                KeyFile key = KeyFile.read(guest.keyFile)) {
            ReleaseClient client = new ReleaseClient(server.localAddress(), policy,
                    VerifierKeys.readSigningKey(guest.signingKey), Duration.ofSeconds(20), 0, line -> { });
            return client.release(key.passphrase());
        }
    }

    private static ReleaseOutcome release(EvidenceProvider provider) throws Exception {
        return release(provider, policy(guest.ekRoot(), Set.of()));
    }

    private static Refused refusedAt(ReleaseOutcome outcome, Stage stage) {
        ReleaseOutcome.Refused r = assertInstanceOf(ReleaseOutcome.Refused.class, outcome, () -> outcome.appraisal()
                .checks().toString());
        Refused appraisal = assertInstanceOf(Refused.class, r.appraisal());
        assertEquals(stage, appraisal.failures().getFirst().stage(), () -> appraisal.failures().toString());
        return appraisal;
    }

    private static Check check(dev.cvmfde.client.verify.Appraisal a, Stage stage, String name) {
        return a.checks().stream().filter(c -> c.stage() == stage && c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + stage.label() + "/" + name + " in " + a.checks()));
    }

    /** How a test guest answers the credential challenge. */
    private interface Activation {
        byte[] activate(byte[] blob, byte[] secret) throws EvidenceException;
    }

    /** A tpm provider whose evidence comes from {@code collect} and whose activation from {@code activation}. */
    private static EvidenceProvider guestOf(EvidenceProvider collect, UnaryOperator<RawEvidence> change,
            Activation activation) {
        return new EvidenceProvider() {
            @Override
            public String name() {
                return TpmProvider.NAME;
            }

            @Override
            public RawEvidence collect(byte[] challenge) throws EvidenceException {
                return change.apply(collect.collect(challenge));
            }

            @Override
            public byte[] activateCredential(byte[] blob, byte[] secret) throws EvidenceException {
                return activation.activate(blob, secret);
            }
        };
    }

    /** The genuine provider with its evidence changed by {@code change}. */
    private static EvidenceProvider tampered(EvidenceProvider real, UnaryOperator<RawEvidence> change) {
        return guestOf(real, change, real::activateCredential);
    }

    @Test
    void release_genuineTpmGuest_released() throws Exception {
        int before = guest.received.size();
        ReleaseOutcome outcome = release(guest.provider());
        ReleaseOutcome.Released r = assertInstanceOf(ReleaseOutcome.Released.class, outcome,
                () -> outcome.appraisal().checks().toString());
        Affirming a = assertInstanceOf(Affirming.class, r.appraisal());
        assertEquals(Stage.Kind.TPM, a.kind());
        assertTrue(a.insecure().isEmpty());
        for (Stage s : List.of(Stage.EK_CERTIFICATE, Stage.AK_ACTIVATION, Stage.QUOTE_SIGNATURE, Stage.FRESHNESS,
                Stage.PCR_SELECTION, Stage.EVENT_LOG, Stage.FIRMWARE_PCRS, Stage.BOOT_COMPONENTS)) {
            assertTrue(a.checks().stream().anyMatch(c -> c.stage() == s && c.outcome() == Check.Outcome.PASS), s::label);
        }
        assertEquals(Check.Outcome.PASS, check(a, Stage.BOOT_COMPONENTS, "kernel-cmdline").outcome());
        assertEquals(before + 1, guest.received.size());
        assertArrayEquals(Files.readAllBytes(guest.keyFile), guest.received.getLast());
    }

    @Test
    void release_ekCertificateOfAnotherRoot_refusedAtEkCertificate() throws Exception {
        Refused r = refusedAt(release(guest.provider(), policy(other.ekRoot(), Set.of())), Stage.EK_CERTIFICATE);
        assertEquals("ek-chain", r.failures().getFirst().name());
        assertEquals(Check.Outcome.SKIPPED, check(r, Stage.BOOT_COMPONENTS, "boot-components").outcome());
    }

    @Test
    void release_akOfAnotherTpmBesideThisEkCertificate_refusedAtAkActivation() throws Exception {
        // the quote and AK come from the other TPM; the EK certificate (valid under the pinned root) and the
        // credential activation are the genuine TPM's: it cannot activate a credential for an AK it lacks
        TpmProvider genuine = guest.provider();
        byte[] ekCert = genuine.collect(new byte[64]).certificateChain().getFirst();
        EvidenceProvider relay = guestOf(other.provider(), e -> new RawEvidence(e.provider(), e.token(), e.eventLog(),
                List.of(ekCert)), genuine::activateCredential);
        Refused r = refusedAt(release(relay), Stage.AK_ACTIVATION);
        assertEquals(Check.Outcome.PASS, check(r, Stage.EK_CERTIFICATE, "ek-chain").outcome());
    }

    @Test
    void release_guestAnswersWrongSecret_refusedAtAkActivation() throws Exception {
        EvidenceProvider liar = guestOf(guest.provider(), e -> e, (blob, secret) -> new byte[32]);
        refusedAt(release(liar), Stage.AK_ACTIVATION);
    }

    @Test
    void release_replayedQuoteOfEarlierSession_refusedAtFreshness() throws Exception {
        AtomicReference<RawEvidence> recorded = new AtomicReference<>();
        TpmProvider genuine = guest.provider();
        EvidenceProvider replay = tampered(genuine, e -> {
            recorded.compareAndSet(null, e);
            return recorded.get();
        });
        recorded.set(genuine.collect(new byte[64])); // a quote made for another session's challenge
        Refused r = refusedAt(release(replay), Stage.FRESHNESS);
        assertEquals("quote-qualifying-data", r.failures().getFirst().name());
    }

    @Test
    void release_selectionLeavesOutGrubFilesPcr_refusedAtPcrSelection() throws Exception {
        TpmProvider partial = new TpmProvider(guest.swtpm.device(), guest.eventLog, Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8));
        Refused r = refusedAt(release(partial), Stage.PCR_SELECTION);
        assertTrue(r.failures().getFirst().detail().contains("[9]"), r.failures().getFirst()::detail);
    }

    @Test
    void release_logThatDoesNotReplayToQuote_refusedAtEventLog() throws Exception {
        // the log claims the genuine kernel, the TPM measured another one... here: the log's kernel event is altered
        List<LogEvent> events = new ArrayList<>(guest.events);
        for (int i = 0; i < events.size(); i++) {
            LogEvent e = events.get(i);
            if (e.index() == 9 && e.dataAsText().contains("vmlinuz")) {
                events.set(i, new LogEvent(9, e.type(), List.of(EventDigest.of(Digest.of(DigestAlgorithm.SHA256,
                        "another kernel".getBytes()))), e.data()));
            }
        }
        Path log = TpmGuest.write(dir.resolve("edited-log.bin"), events);
        Refused r = refusedAt(release(new TpmProvider(guest.swtpm.device(), log)), Stage.EVENT_LOG);
        assertEquals("PCR[9]", r.failures().getFirst().name());
    }

    @Test
    void release_quoteSignatureBroken_refusedAtQuoteSignature() throws Exception {
        EvidenceProvider broken = tampered(guest.provider(), e -> {
            try {
                TpmEvidenceBlob b = TpmEvidenceBlob.decode(e.token());
                byte[] sig = b.signature();
                sig[sig.length - 1] ^= 0x01;
                return new RawEvidence(e.provider(), new TpmEvidenceBlob(b.akPublic(), b.quote(), sig, b.pcrValues())
                        .encode(), e.eventLog(), e.certificateChain());
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        });
        Refused r = refusedAt(release(broken), Stage.QUOTE_SIGNATURE);
        assertEquals("quote-signature", r.failures().getFirst().name());
    }

    @Test
    void release_tpmThatMeasuredAnotherKernel_refusedAtBootComponents() throws Exception {
        try (TpmGuest tampered = new TpmGuest(dir.resolve("tampered"), "replaced kernel")) {
            Refused r = refusedAt(release(tampered.provider(), policy(tampered.ekRoot(), Set.of())),
                    Stage.BOOT_COMPONENTS);
            Check kernel = r.failures().getFirst();
            assertTrue(kernel.name().startsWith("kernel"), kernel::toString);
            assertEquals(GuestFixture.sha256("kernel 6.6.0").hex(), kernel.expected());
            assertEquals(GuestFixture.sha256("replaced kernel").hex(), kernel.actual());
        }
    }

    @Test
    void release_afterTheAgentConsumedTheKey_refusedAtEventLog() throws Exception {
        try (TpmGuest booted = new TpmGuest(dir.resolve("consumed"), "kernel 6.6.0")) {
            ReleasePolicy p = new ReleasePolicy(booted.ekRoot(), false, Optional.of(booted.signedBaseline()),
                    Optional.empty(), Set.of());
            assertInstanceOf(ReleaseOutcome.Released.class, release(booted.provider(), p));
            MeasurementExtension e = booted.provider().extend(MeasurementEvent.KEY_CONSUMED);
            assertEquals(TpmProvider.KEY_CONSUMED_PCR, assertInstanceOf(MeasurementExtension.ExtendedPcr.class, e).pcr());
            Refused r = refusedAt(release(booted.provider(), p), Stage.EVENT_LOG);
            assertEquals("PCR[8]", r.failures().getFirst().name());
        }
    }

    @Test
    void release_baselineWithoutFirmwarePcrs_refusedUnlessWaived() throws Exception {
        Path noTpm = dir.resolve("no-tpm-hash.json");
        guest.writeSigned(noTpm, TpmGuest.baseline(guest.events, false));
        ReleasePolicy strict = new ReleasePolicy(guest.ekRoot(), false, Optional.of(guest.signedBaseline(noTpm)),
                Optional.empty(), Set.of());
        refusedAt(release(guest.provider(), strict), Stage.FIRMWARE_PCRS);
        ReleasePolicy waived = new ReleasePolicy(guest.ekRoot(), false, Optional.of(guest.signedBaseline(noTpm)),
                Optional.empty(), Set.of(Insecure.NO_FIRMWARE_PCRS));
        Affirming a = assertInstanceOf(Affirming.class, release(guest.provider(), waived).appraisal());
        assertEquals(List.of(Insecure.NO_FIRMWARE_PCRS), a.insecure());
    }

    @Test
    void releaseCommand_genuineTpmGuest_exit0AndTable() throws Exception {
        try (RunningServer server = guest.startServer()) {
            CliRun run = CliRun.of(guest.releaseArgs(server.localAddress()));
            assertEquals(0, run.exit(), run::toString);
            assertTrue(run.out().contains("VERDICT: AFFIRMING (TPM 2.0 quote)"), run::toString);
            assertTrue(run.out().contains("ak-activation"), run::toString);
        }
    }

    @Test
    void releaseCommand_otherTpmsRoot_exit3() throws Exception {
        try (RunningServer server = guest.startServer()) {
            List<String> args = new ArrayList<>(guest.releaseArgs(server.localAddress()));
            args.set(args.indexOf("--tpm-ek-root") + 1, other.swtpm.ekRoot().toString());
            CliRun run = CliRun.of(args);
            assertEquals(3, run.exit(), run::toString);
            assertTrue(run.out().contains("REFUSED at ek-certificate"), run::toString);
        }
    }
}
