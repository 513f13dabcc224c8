package dev.cvmfde.server.provider.simulated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.protocol.release.KeyMaterialException;
import dev.cvmfde.protocol.token.CcaTokenDecoder;
import dev.cvmfde.protocol.token.CollectionForm;
import dev.cvmfde.protocol.token.PlatformClaims;
import dev.cvmfde.protocol.token.RealmClaims;
import dev.cvmfde.protocol.token.SimulatedTee;
import dev.cvmfde.protocol.token.UnverifiedCcaToken;
import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventDigest;
import dev.cvmfde.refvalues.eventlog.EventLog;
import dev.cvmfde.refvalues.eventlog.EventLogHeader;
import dev.cvmfde.refvalues.eventlog.EventLogWriter;
import dev.cvmfde.refvalues.eventlog.EventType;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.eventlog.SpecIdEvent;
import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceProvider;
import dev.cvmfde.server.provider.EvidenceProviders;
import dev.cvmfde.server.provider.MeasurementEvent;
import dev.cvmfde.server.provider.MeasurementExtension;
import dev.cvmfde.server.provider.ProviderOptions;
import dev.cvmfde.server.provider.RawEvidence;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedProviderTest {
    static final DigestAlgorithm SHA256 = DigestAlgorithm.SHA256;

    @TempDir
    Path dir;
    final ByteArrayOutputStream warnings = new ByteArrayOutputStream();

    static LogEvent event(int mr, String text) {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        return new LogEvent(mr, EventType.EV_IPL, List.of(EventDigest.of(Digest.of(SHA256, data))), data);
    }

    /** A CCEL log: one initial-measurement event, two on REM[0], one on REM[1], then CCEL padding. */
    static byte[] ccelLog(List<LogEvent> events) throws Exception {
        byte[] log = EventLogWriter.toBytes(new EventLog(LogFormat.CCEL, new EventLogHeader(0, SpecIdEvent.of(List.of(SHA256))),
                events));
        byte[] padded = Arrays.copyOf(log, log.length + 64);
        Arrays.fill(padded, log.length, padded.length, (byte) 0xff);
        return padded;
    }

    static final List<LogEvent> EVENTS = List.of(event(0, "realm image"), event(1, "grub"), event(1, "grub.cfg"),
            event(2, "kernel cmdline"));

    /** R = SHA-256(R ‖ SHA-256(data)) from zeros, computed here independently of reference-values. */
    static byte[] extend(String... data) throws Exception {
        byte[] r = new byte[32];
        for (String d : data) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(r);
            md.update(MessageDigest.getInstance("SHA-256").digest(d.getBytes(StandardCharsets.US_ASCII)));
            r = md.digest();
        }
        return r;
    }

    SimulatedProvider provider(SimulatedIdentity identity, Optional<byte[]> log) throws EvidenceException {
        return new SimulatedProvider(identity, log, new PrintStream(warnings, true, StandardCharsets.UTF_8));
    }

    static byte[] challenge() {
        byte[] c = new byte[64];
        new SecureRandom().nextBytes(c);
        return c;
    }

    @Test
    void collect_withEventLog_signedSimulatedTokenWithReplayedMeasurements() throws Exception {
        SimulatedIdentity identity = SimulatedIdentity.generate();
        byte[] log = ccelLog(EVENTS);
        byte[] challenge = challenge();
        RawEvidence evidence = provider(identity, Optional.of(log)).collect(challenge);

        assertEquals("simulated", evidence.provider());
        assertArrayEquals(log, evidence.eventLog().orElseThrow());
        UnverifiedCcaToken token = CcaTokenDecoder.decode(evidence.token());
        assertEquals(CollectionForm.EAT_399, token.form());
        assertTrue(SimulatedTee.isSimulated(token));

        RealmClaims realm = token.realm().unverifiedClaims();
        assertArrayEquals(challenge, realm.challenge());
        assertEquals(Optional.of(SimulatedTee.REALM_PROFILE), realm.profile());
        assertArrayEquals(SimulatedTee.rim(extend("realm image")), realm.rim());
        assertArrayEquals(extend("grub", "grub.cfg"), realm.rems().get(0));
        assertArrayEquals(extend("kernel cmdline"), realm.rems().get(1));
        assertArrayEquals(new byte[32], realm.rems().get(2));
        assertArrayEquals(new byte[32], realm.rems().get(3));
        assertTrue(token.realm().envelope().verify(identity.rakPublic().toECPublicKey()).isValid());
        assertArrayEquals(identity.rakPublic().toECPublicKey().getEncoded(), realm.rak().publicKey().getEncoded());

        PlatformClaims platform = token.platform().orElseThrow().unverifiedClaims();
        assertEquals(SimulatedTee.PLATFORM_PROFILE, platform.profile());
        assertEquals(Optional.of(SimulatedTee.VERIFICATION_SERVICE), platform.verificationService());
        assertTrue(new String(platform.implementationId(), StandardCharsets.US_ASCII).contains("SIMULATED"));
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(realm.rakClaimBytes()), platform.challenge());
        assertTrue(token.platform().orElseThrow().envelope().verify(identity.cpakPublic().toECPublicKey()).isValid());
        assertFalse(token.platform().orElseThrow().envelope().verify(SimulatedIdentity.generate().cpakPublic()
                .toECPublicKey()).isValid(), "another identity's CPAK must not verify it");
    }

    @Test
    void extend_keyConsumed_laterTokensReportExtendedRem3OnlyLogUnchanged() throws Exception {
        SimulatedProvider provider = provider(SimulatedIdentity.generate(), Optional.of(ccelLog(EVENTS)));
        RealmClaims before = CcaTokenDecoder.decode(provider.collect(challenge()).token()).realm().unverifiedClaims();

        MeasurementExtension result = provider.extend(MeasurementEvent.KEY_CONSUMED);

        // REM[3] = SHA-256(zeros ‖ SHA-256(event text)), as RSI_MEASUREMENT_EXTEND would do it
        byte[] expected = extend(MeasurementEvent.KEY_CONSUMED.text());
        assertArrayEquals(expected, assertInstanceOf(MeasurementExtension.Extended.class, result).value());
        RawEvidence after = provider.collect(challenge());
        RealmClaims realm = CcaTokenDecoder.decode(after.token()).realm().unverifiedClaims();
        assertArrayEquals(expected, realm.rems().get(3));
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(before.rems().get(i), realm.rems().get(i), "REM[" + i + "]");
        }
        assertArrayEquals(before.rim(), realm.rim());
        assertArrayEquals(ccelLog(EVENTS), after.eventLog().orElseThrow(), "the boot's event log is reported unchanged");
    }

    @Test
    void collect_twice_samePlatformTokenFreshRealmTokenBothVerify() throws Exception {
        SimulatedIdentity identity = SimulatedIdentity.generate();
        SimulatedProvider provider = provider(identity, Optional.of(ccelLog(EVENTS)));
        byte[] c1 = challenge();
        byte[] c2 = challenge();
        UnverifiedCcaToken first = CcaTokenDecoder.decode(provider.collect(c1).token());
        UnverifiedCcaToken second = CcaTokenDecoder.decode(provider.collect(c2).token());

        // the platform token binds only the RAK: signed once at start, identical in every session
        assertArrayEquals(first.platform().orElseThrow().envelope().encoded(),
                second.platform().orElseThrow().envelope().encoded());
        assertArrayEquals(c1, first.realm().unverifiedClaims().challenge());
        assertArrayEquals(c2, second.realm().unverifiedClaims().challenge());
        for (UnverifiedCcaToken t : List.of(first, second)) {
            assertTrue(t.realm().envelope().verify(identity.rakPublic().toECPublicKey()).isValid());
            assertTrue(t.platform().orElseThrow().envelope().verify(identity.cpakPublic().toECPublicKey()).isValid());
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(t.realm().unverifiedClaims().rakClaimBytes()),
                    t.platform().orElseThrow().unverifiedClaims().challenge());
        }
    }

    @Test
    void construct_always_warnsLoudlyOnStderr() throws Exception {
        provider(SimulatedIdentity.generate(), Optional.empty());
        String text = warnings.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("SIMULATED TEE"), text);
        assertTrue(text.lines().count() >= 5, "multi-line warning");
    }

    @Test
    void collect_withoutEventLog_zeroRemsPinnableRimNoLog() throws Exception {
        RawEvidence evidence = provider(SimulatedIdentity.generate(), Optional.empty()).collect(challenge());
        assertTrue(evidence.eventLog().isEmpty());
        RealmClaims realm = CcaTokenDecoder.decode(evidence.token()).realm().unverifiedClaims();
        assertArrayEquals(SimulatedTee.rim(new byte[32]), realm.rim());
        assertFalse(java.util.Arrays.equals(new byte[32], realm.rim()), "the simulated RIM is never all zeros");
        realm.rems().forEach(rem -> assertArrayEquals(new byte[32], rem));
    }

    @Test
    void collect_wrongChallengeSize_invalidChallenge() throws Exception {
        EvidenceException e = assertThrows(EvidenceException.class,
                () -> provider(SimulatedIdentity.generate(), Optional.empty()).collect(new byte[32]));
        assertEquals(EvidenceException.Kind.INVALID_CHALLENGE, e.kind());
    }

    @Test
    void construct_logWithoutSha256Bank_malformed() throws Exception {
        byte[] data = "x".getBytes(StandardCharsets.US_ASCII);
        DigestAlgorithm sha384 = DigestAlgorithm.SHA384;
        byte[] log = EventLogWriter.toBytes(new EventLog(LogFormat.CCEL, new EventLogHeader(0, SpecIdEvent.of(List.of(sha384))),
                List.of(new LogEvent(1, EventType.EV_IPL, List.of(EventDigest.of(Digest.of(sha384, data))), data))));
        EvidenceException e = assertThrows(EvidenceException.class,
                () -> provider(SimulatedIdentity.generate(), Optional.of(log)));
        assertEquals(EvidenceException.Kind.MALFORMED, e.kind());
    }

    @Test
    void construct_garbageLog_malformed() {
        EvidenceException e = assertThrows(EvidenceException.class,
                () -> provider(SimulatedIdentity.generate(), Optional.of("not an event log".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(EvidenceException.Kind.MALFORMED, e.kind());
    }

    @Test
    void export_thenLoad_sameKeysPrivateFilesOwnerOnlyAnchorApart() throws Exception {
        SimulatedIdentity identity = SimulatedIdentity.generate();
        Path out = dir.resolve("identity");
        Path anchor = dir.resolve("anchor");
        identity.export(out, anchor);
        assertEquals(SimulatedIdentity.GUEST_FILES.stream().sorted().toList(), names(out));
        assertEquals(SimulatedIdentity.ANCHOR_FILES.stream().sorted().toList(), names(anchor));
        for (String secret : List.of(SimulatedIdentity.CPAK_PRIVATE, SimulatedIdentity.RAK_PRIVATE)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(secret))));
        }
        for (String pub : SimulatedIdentity.ANCHOR_FILES) {
            assertFalse(Files.readString(anchor.resolve(pub)).contains("\"d\""), "no private part beside the anchor");
        }
        assertTrue(Files.readString(anchor.resolve(SimulatedIdentity.CPAK_PUBLIC_PEM)).contains("BEGIN PUBLIC KEY"));
        SimulatedIdentity loaded = SimulatedIdentity.load(out);
        assertEquals(identity.cpakThumbprint(), loaded.cpakThumbprint());
        assertEquals(identity.rakPublic(), loaded.rakPublic());
        assertFalse(loaded.toString().contains(identity.cpakPublic().getX().toString()));
        assertThrows(KeyMaterialException.class, () -> SimulatedIdentity.generate().export(out, dir.resolve("a2")));
        assertEquals(identity.cpakThumbprint(), SimulatedIdentity.load(out).cpakThumbprint(), "nothing replaced");
    }

    @Test
    void export_anchorIntoGuestDirectory_refused() {
        Path out = dir.resolve("identity");
        assertThrows(KeyMaterialException.class, () -> SimulatedIdentity.generate().export(out, out.resolve(".")));
        assertFalse(Files.exists(out.resolve(SimulatedIdentity.CPAK_PRIVATE)), "nothing written");
    }

    private static List<String> names(Path d) throws Exception {
        List<String> names = new ArrayList<>();
        try (var files = Files.list(d)) {
            files.forEach(f -> names.add(f.getFileName().toString()));
        }
        return names.stream().sorted().toList();
    }

    @Test
    void load_groupReadablePrivateKey_refused() throws Exception {
        Path out = dir.resolve("identity");
        SimulatedIdentity.generate().export(out, dir.resolve("anchor"));
        Files.setPosixFilePermissions(out.resolve(SimulatedIdentity.RAK_PRIVATE), PosixFilePermissions.fromString("rw-r-----"));
        KeyMaterialException e = assertThrows(KeyMaterialException.class, () -> SimulatedIdentity.load(out));
        var mode = assertInstanceOf(dev.cvmfde.protocol.secret.KeyFileModeException.class, e.getCause());
        assertEquals(out.resolve(SimulatedIdentity.RAK_PRIVATE), mode.file());
        assertEquals("0640 (rw-r-----)", mode.mode());
    }

    @Test
    void byName_simulatedWithIdentityAndLog_usesBoth() throws Exception {
        Path out = dir.resolve("identity");
        SimulatedIdentity identity = SimulatedIdentity.generate();
        identity.export(out, dir.resolve("anchor"));
        Path logFile = dir.resolve("ccel.bin");
        Files.write(logFile, ccelLog(EVENTS));
        EvidenceProvider provider = EvidenceProviders.byName("simulated",
                ProviderOptions.defaults().withAcpiTablesRoot(dir.resolve("no-acpi")).withSimulatedIdentity(out)
                        .withSimulatedEventLog(logFile));
        UnverifiedCcaToken token = CcaTokenDecoder.decode(provider.collect(challenge()).token());
        assertTrue(token.platform().orElseThrow().envelope().verify(identity.cpakPublic().toECPublicKey()).isValid());
        assertArrayEquals(extend("grub", "grub.cfg"), token.realm().unverifiedClaims().rems().get(0));
        assertTrue(EvidenceProviders.NAMES.contains("simulated"));
    }

    @Test
    void byName_simulatedMissingIdentity_unavailableWithAdvice() {
        EvidenceException e = assertThrows(EvidenceException.class, () -> EvidenceProviders.byName("simulated",
                ProviderOptions.defaults().withSimulatedIdentity(dir.resolve("nothing-here"))));
        assertEquals(EvidenceException.Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("simulated-identity"), e.getMessage());
    }
}
