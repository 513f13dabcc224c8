package dev.cvmfde.server.provider.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceException.Kind;
import dev.cvmfde.server.provider.RawEvidence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TsmProviderTest {
    @TempDir
    Path tmp;
    Path reportRoot;
    Path acpi;
    EmulatedConfigfs configfs;
    TsmProvider provider;
    byte[] challenge;

    @BeforeEach
    void setUp() throws IOException {
        reportRoot = Files.createDirectories(tmp.resolve("tsm/report"));
        acpi = Files.createDirectories(tmp.resolve("acpi/tables"));
        configfs = new EmulatedConfigfs();
        provider = new TsmProvider(reportRoot, acpi, configfs);
        challenge = new byte[64];
        for (int i = 0; i < challenge.length; i++) {
            challenge[i] = (byte) (0xa0 + i);
        }
    }

    private void assertReportRootEmpty() throws IOException {
        try (Stream<Path> left = Files.list(reportRoot)) {
            assertEquals(0, left.count(), "report directories left behind");
        }
        assertEquals(configfs.made, configfs.removed);
    }

    @Test
    void collect_kernelBehaviour_returnsOutblobAndKernelProvider() throws Exception {
        RawEvidence evidence = provider.collect(challenge);

        assertArrayEquals(EmulatedConfigfs.defaultReport(challenge), evidence.token());
        assertEquals("tsm:arm_cca_guest", evidence.provider());
        assertTrue(evidence.eventLog().isEmpty());
        assertTrue(evidence.certificateChain().isEmpty());
        assertEquals(1, configfs.made.size());
        assertReportRootEmpty();
    }

    @Test
    void collect_otherWriterOnFirstAttempt_retriesInFreshDirectoryAndSucceeds() throws Exception {
        configfs.concurrentWriters = 1;

        RawEvidence evidence = provider.collect(challenge);

        assertArrayEquals(EmulatedConfigfs.defaultReport(challenge), evidence.token());
        assertEquals(2, configfs.made.size());
        assertReportRootEmpty();
    }

    @Test
    void collect_otherWriterOnEveryAttempt_failsBusyAfterMaxAttempts() throws Exception {
        configfs.concurrentWriters = TsmProvider.MAX_ATTEMPTS;

        EvidenceException e = assertThrows(EvidenceException.class, () -> provider.collect(challenge));

        assertEquals(Kind.BUSY, e.kind());
        assertEquals(TsmProvider.MAX_ATTEMPTS, configfs.made.size());
        assertReportRootEmpty();
    }

    @Test
    void collect_kernelDropsInblobWriteInFreshDirectory_failsRejectedWithEinval() throws Exception {
        configfs.droppedWrites = 1;

        EvidenceException e = assertThrows(EvidenceException.class, () -> provider.collect(challenge));

        assertEquals(Kind.REJECTED, e.kind());
        assertTrue(e.getMessage().contains("EINVAL"), e.getMessage());
        assertReportRootEmpty();
    }

    @Test
    void collect_kernelDropsInblobWriteOverStaleInblob_detectedByGenerationAndFailsBusy() throws Exception {
        configfs.initialInblob = new byte[64];
        configfs.droppedWrites = TsmProvider.MAX_ATTEMPTS;

        EvidenceException e = assertThrows(EvidenceException.class, () -> provider.collect(challenge));

        assertEquals(Kind.BUSY, e.kind());
        assertTrue(e.getMessage().contains("did not take the write"), e.getMessage());
        assertReportRootEmpty();
    }

    @Test
    void collect_directoryVanishesOnce_retriesAndSucceeds() throws Exception {
        configfs.vanishings = 1;

        RawEvidence evidence = provider.collect(challenge);

        assertArrayEquals(EmulatedConfigfs.defaultReport(challenge), evidence.token());
        assertEquals(2, configfs.made.size());
        try (Stream<Path> left = Files.list(reportRoot)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void collect_emptyOutblob_failsMalformedAndRemovesDirectory() throws Exception {
        configfs.report = in -> new byte[0];

        EvidenceException e = assertThrows(EvidenceException.class, () -> provider.collect(challenge));

        assertEquals(Kind.MALFORMED, e.kind());
        assertReportRootEmpty();
    }

    @Test
    void collect_outblobOverOurLimit_failsTooLarge() throws Exception {
        configfs.report = in -> new byte[TsmProvider.MAX_OUTBLOB_BYTES + 1];

        EvidenceException e = assertThrows(EvidenceException.class, () -> provider.collect(challenge));

        assertEquals(Kind.TOO_LARGE, e.kind());
        assertTrue(e.getMessage().contains("MAX_OUTBLOB_BYTES"), e.getMessage());
        assertReportRootEmpty();
    }

    @Test
    void collect_outblobAtOurLimit_succeeds() throws Exception {
        configfs.report = in -> new byte[TsmProvider.MAX_OUTBLOB_BYTES];

        assertEquals(TsmProvider.MAX_OUTBLOB_BYTES, provider.collect(challenge).token().length);
    }

    @ParameterizedTest
    @CsvSource({
        "mkdir, 6, UNAVAILABLE",          // ENXIO: no TSM provider registered
        "mkdir, 13, PERMISSION_DENIED",   // EACCES
        "write:inblob, 22, REJECTED",     // EINVAL
        "write:inblob, 16, BUSY",         // EBUSY
        "read:outblob, 27, TOO_LARGE",    // EFBIG: report over the kernel's 32 KiB
        "read:outblob, 5, REJECTED",      // EIO: firmware failed
        "read:outblob, 6, UNAVAILABLE",   // ENXIO: provider unregistered meanwhile
        "read:provider, 6, UNAVAILABLE",
        "read:generation, 12, IO",        // ENOMEM
    })
    void collect_kernelErrno_mapsToKindAndCleansUp(String operation, int errno, Kind expected) throws Exception {
        configfs.failures.put(operation, errno);

        EvidenceException e = assertThrows(EvidenceException.class, () -> provider.collect(challenge));

        assertEquals(expected, e.kind());
        assertTrue(e.getMessage().contains(Errno.name(errno)), e.getMessage());
        assertReportRootEmpty();
    }

    @Test
    void collect_providerAttributeGarbage_failsMalformed() throws Exception {
        configfs.providerName = "arm cca\u0007guest";

        EvidenceException e = assertThrows(EvidenceException.class, () -> provider.collect(challenge));

        assertEquals(Kind.MALFORMED, e.kind());
        assertReportRootEmpty();
    }

    @Test
    void collect_auxblobPresent_returnedAsSingleCertificateEntry() throws Exception {
        configfs.providerName = "sev_guest";
        configfs.withAuxblob = true;

        RawEvidence evidence = provider.collect(challenge);

        assertEquals("tsm:sev_guest", evidence.provider());
        assertEquals(1, evidence.certificateChain().size());
        assertArrayEquals(configfs.auxblob, evidence.certificateChain().getFirst());
    }

    @Test
    void collect_ccelPresent_returnsEventLog() throws Exception {
        byte[] log = CcelFixture.log(4096);
        CcelFixture.write(acpi, CcelFixture.table(4096, 0x7f000000L), log);

        RawEvidence evidence = provider.collect(challenge);

        assertArrayEquals(log, evidence.eventLog().orElseThrow());
    }

    @Test
    void collect_challengeOf63Bytes_failsInvalidChallengeWithoutTouchingConfigfs() {
        EvidenceException e = assertThrows(EvidenceException.class, () -> provider.collect(new byte[63]));

        assertEquals(Kind.INVALID_CHALLENGE, e.kind());
        assertTrue(configfs.made.isEmpty());
    }

    @Test
    void collect_reportRootMissing_failsUnavailable() {
        TsmProvider missing = new TsmProvider(tmp.resolve("no/such/report"), acpi, configfs);

        EvidenceException e = assertThrows(EvidenceException.class, () -> missing.collect(challenge));

        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("configfs-tsm"), e.getMessage());
    }

    @Test
    void collect_plainDirectoryWithRealSyscalls_failsUnavailableAndRemovesDirectory() throws Exception {
        TsmProvider plain = new TsmProvider(reportRoot, acpi, ConfigfsIo.kernel());

        EvidenceException e = assertThrows(EvidenceException.class, () -> plain.collect(challenge));

        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("does not behave like configfs-tsm"), e.getMessage());
        try (Stream<Path> left = Files.list(reportRoot)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void collect_inputChallengeModifiedAfterCall_evidenceUnchanged() throws Exception {
        RawEvidence evidence = provider.collect(challenge);
        byte[] expected = EmulatedConfigfs.defaultReport(challenge.clone());

        challenge[0] ^= 1;

        assertArrayEquals(expected, evidence.token());
    }
}
