package dev.cvmfde.client.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.protocol.secret.SecretBytes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link ImageStore} backend must have; {@link DirectoryImageStoreTest} and
 * {@link PostgresImageStoreTest} run it against a real directory and a real PostgreSQL server.
 * A backend supplies a fresh store spec and raw access to what it wrote (to search it for key
 * bytes and to tamper with the audit trail as someone with write access to it would).
 */
abstract class ImageStoreContract {
    static final ImageId WEB = ImageId.of("web-01");
    static final ImageId DB = ImageId.of("db-01");

    @TempDir
    Path tmp;
    StoreFixture fx;
    RootKey root;
    String spec;
    ImageStore store;

    /** A spec for a store that does not exist yet. */
    abstract String newSpec() throws Exception;

    /** Every byte the backend holds for {@code spec} (files, or every row of every table). */
    abstract byte[] rawContents(String spec) throws Exception;

    /** The audit trail as stored: lines, or rows' lines in seq order. */
    abstract List<String> auditLines(String spec) throws Exception;

    /** Replaces the stored trail with {@code lines} (a writer with access to the store tampering with it). */
    abstract void writeAuditLines(String spec, List<String> lines) throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        fx = new StoreFixture();
        root = RootKeys.open("file:" + StoreFixture.rootKeyFile(tmp, "root.key"));
        spec = newSpec();
        store = ImageStores.create(spec, root);
    }

    @AfterEach
    void closeStore() {
        store.close();
        root.close();
    }

    static AuditEvent event(ImageId id, Verdict verdict, String... failed) {
        return AuditEvent.of(Instant.parse("2026-12-06T03:00:00Z"), "127.0.0.1:40000", id.value(), verdict,
                List.of(failed), ("evidence of " + id).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    // ---- images and keys

    @Test
    void add_signedBaseline_unwrapsTheSameKeyAndListsTheBaseline() throws Exception {
        byte[] key = StoreFixture.randomKey();
        store.add(WEB, fx.baseline("kernel-1"), StoreFixture.secret(key));
        try (SecretBytes back = store.unwrapKey(WEB)) {
            assertArrayEquals(key, back.copy());
        }
        ImageEntry e = store.get(WEB);
        assertEquals(1, e.baselines().size());
        assertArrayEquals(StoreFixture.hashJson("kernel-1"), e.baselines().get(0).hashJson());
        assertTrue(e.baselines().get(0).toReferenceBaseline().signer().isPresent());
    }

    @Test
    void add_existingId_throwsImageExistsAndKeepsTheFirstKey() throws Exception {
        byte[] key = StoreFixture.randomKey();
        store.add(WEB, fx.baseline("kernel-1"), StoreFixture.secret(key));
        assertThrows(ImageExistsException.class,
                () -> store.add(WEB, fx.baseline("kernel-2"), StoreFixture.secret(StoreFixture.randomKey())));
        try (SecretBytes back = store.unwrapKey(WEB)) {
            assertArrayEquals(key, back.copy());
        }
    }

    @Test
    void add_signatureByAnotherKey_throwsInvalidBaselineAndStoresNothing() throws Exception {
        InvalidBaselineException e = assertThrows(InvalidBaselineException.class,
                () -> store.add(WEB, fx.baselineSignedByOther("kernel-1"), StoreFixture.secret(StoreFixture.randomKey())));
        assertTrue(e.getMessage().contains("hash.json-signature"), e.getMessage());
        assertEquals(List.of(), store.list());
    }

    @Test
    void add_hashJsonEditedAfterSigning_throwsInvalidBaseline() throws Exception {
        assertThrows(InvalidBaselineException.class,
                () -> store.add(WEB, fx.editedAfterSigning("kernel-1"), StoreFixture.secret(StoreFixture.randomKey())));
        assertThrows(UnknownImageException.class, () -> store.get(WEB));
    }

    @Test
    void unknownImage_everyOperation_throwsUnknownImage() throws Exception {
        assertThrows(UnknownImageException.class, () -> store.get(WEB));
        assertThrows(UnknownImageException.class, () -> store.remove(WEB));
        assertThrows(UnknownImageException.class, () -> store.unwrapKey(WEB));
        assertThrows(UnknownImageException.class, () -> store.acceptableBaselines(WEB, Instant.now()));
        assertThrows(UnknownImageException.class,
                () -> store.rotateBaseline(WEB, fx.baseline("k2"), Instant.now().plus(Duration.ofDays(1))));
        assertThrows(UnknownImageException.class,
                () -> store.release(WEB, event(WEB, Verdict.RELEASED), k -> "sealed"));
        assertEquals(0, store.audit().verify().verifiedRecords());
    }

    @Test
    void list_sortedById_removeDropsOne() throws Exception {
        store.add(WEB, fx.baseline("kernel-1"), StoreFixture.secret(StoreFixture.randomKey()));
        store.add(DB, fx.baseline("kernel-2"), StoreFixture.secret(StoreFixture.randomKey()));
        assertEquals(List.of(DB, WEB), store.list().stream().map(ImageEntry::id).toList());
        store.remove(DB);
        assertEquals(List.of(WEB), store.list().stream().map(ImageEntry::id).toList());
        assertThrows(UnknownImageException.class, () -> store.unwrapKey(DB));
    }

    @Test
    void storeContents_afterAddAndRelease_neverHoldTheKeyInAnyForm() throws Exception {
        byte[] key = StoreFixture.randomKey();
        store.add(WEB, fx.baseline("kernel-1"), StoreFixture.secret(key));
        store.release(WEB, event(WEB, Verdict.RELEASED), k -> "sealed");
        byte[] raw = rawContents(spec);
        assertTrue(raw.length > 0);
        for (byte[] form : StoreFixture.leakForms(key)) {
            assertFalse(StoreFixture.contains(raw, form), "the store holds the key in some form");
        }
        // the same search finds what the store does hold: the search itself works
        assertTrue(StoreFixture.contains(raw, WEB.value().getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    // ---- root key

    @Test
    void open_withAnotherRootKey_throwsRootKeyUnavailable() throws Exception {
        store.add(WEB, fx.baseline("kernel-1"), StoreFixture.secret(StoreFixture.randomKey()));
        try (RootKey other = RootKeys.open(StoreFixture.rootKeyFile(tmp, "other.key").toString())) {
            RootKeyUnavailableException e = assertThrows(RootKeyUnavailableException.class,
                    () -> ImageStores.open(spec, other));
            assertTrue(e.getMessage().contains("cannot be used with store"), e.getMessage());
        }
    }

    @Test
    void openWithoutRootKey_listsButRefusesKeys() throws Exception {
        store.add(WEB, fx.baseline("kernel-1"), StoreFixture.secret(StoreFixture.randomKey()));
        try (ImageStore keyless = ImageStores.open(spec)) {
            assertEquals(1, keyless.list().size());
            assertThrows(RootKeyUnavailableException.class, () -> keyless.unwrapKey(WEB));
            assertThrows(RootKeyUnavailableException.class,
                    () -> keyless.release(WEB, event(WEB, Verdict.RELEASED), k -> "sealed"));
        }
        assertEquals(0, store.audit().verify().verifiedRecords());
    }

    @Test
    void open_missingStore_throwsStoreUnavailable() throws Exception {
        assertThrows(StoreUnavailableException.class, () -> ImageStores.open(newSpec(), root));
    }

    // ---- rollout

    @Test
    void rotateBaseline_insideWindowBoth_afterUntilOnlyNew() throws Exception {
        store.add(WEB, fx.baseline("kernel-1"), StoreFixture.secret(StoreFixture.randomKey()));
        Instant until = Instant.now().plus(Duration.ofDays(7));
        store.rotateBaseline(WEB, fx.baseline("kernel-2"), until);
        List<StoredBaseline> inside = store.acceptableBaselines(WEB, until.minusSeconds(1));
        assertEquals(2, inside.size());
        assertArrayEquals(StoreFixture.hashJson("kernel-2"), inside.get(0).hashJson(), "newest first");
        assertArrayEquals(StoreFixture.hashJson("kernel-1"), inside.get(1).hashJson());
        List<StoredBaseline> after = store.acceptableBaselines(WEB, until);
        assertEquals(1, after.size());
        assertArrayEquals(StoreFixture.hashJson("kernel-2"), after.get(0).hashJson());
    }

    @Test
    void rotateBaseline_twice_keepsTheEarlierEnd() throws Exception {
        store.add(WEB, fx.baseline("kernel-1"), StoreFixture.secret(StoreFixture.randomKey()));
        Instant first = Instant.now().plus(Duration.ofDays(1));
        Instant second = Instant.now().plus(Duration.ofDays(5));
        store.rotateBaseline(WEB, fx.baseline("kernel-2"), first);
        store.rotateBaseline(WEB, fx.baseline("kernel-3"), second);
        assertEquals(3, store.acceptableBaselines(WEB, first.minusSeconds(1)).size());
        List<StoredBaseline> mid = store.acceptableBaselines(WEB, first.plusSeconds(1));
        assertEquals(2, mid.size(), "kernel-1 ended at the first rollout's end");
        assertEquals(1, store.acceptableBaselines(WEB, second).size());
    }

    @Test
    void rotateBaseline_untilInThePastOrUnsigned_refusedAndNothingChanges() throws Exception {
        store.add(WEB, fx.baseline("kernel-1"), StoreFixture.secret(StoreFixture.randomKey()));
        assertThrows(IllegalArgumentException.class,
                () -> store.rotateBaseline(WEB, fx.baseline("kernel-2"), Instant.now().minusSeconds(1)));
        assertThrows(InvalidBaselineException.class, () -> store.rotateBaseline(WEB,
                fx.baselineSignedByOther("kernel-2"), Instant.now().plus(Duration.ofDays(1))));
        assertEquals(1, store.get(WEB).baselines().size());
    }

    // ---- release and audit

    @Test
    void release_recordsOneReleasedRecordAndReturnsTheSealedResult() throws Exception {
        byte[] key = StoreFixture.randomKey();
        store.add(WEB, fx.baseline("kernel-1"), StoreFixture.secret(key));
        List<SecretBytes> seen = new ArrayList<>();
        String sealed = store.release(WEB, event(WEB, Verdict.RELEASED), k -> {
            seen.add(k);
            assertArrayEquals(key, k.copy());
            return "sealed-for-guest";
        });
        assertEquals("sealed-for-guest", sealed);
        assertTrue(seen.get(0).isDestroyed(), "the key handed to the sealer is zeroized afterwards");
        List<AuditRecord> records = store.audit().tail(10);
        assertEquals(1, records.size());
        assertEquals(Verdict.RELEASED, records.get(0).event().verdict());
        assertEquals(AuditTrail.GENESIS_HASH, records.get(0).previousHash());
    }

    @Test
    void release_sealerFails_throwsAndRecordsNothing() throws Exception {
        store.add(WEB, fx.baseline("kernel-1"), StoreFixture.secret(StoreFixture.randomKey()));
        assertThrows(StoreException.class, () -> store.release(WEB, event(WEB, Verdict.RELEASED), k -> {
            throw new java.io.IOException("guest went away");
        }));
        assertEquals(new AuditVerification.Intact(0, AuditTrail.GENESIS_HASH), store.audit().verify());
    }

    @Test
    void release_refusedEventOrOtherImage_isAProgrammingError() throws Exception {
        store.add(WEB, fx.baseline("kernel-1"), StoreFixture.secret(StoreFixture.randomKey()));
        assertThrows(IllegalArgumentException.class, () -> store.release(WEB, event(WEB, Verdict.REFUSED), k -> "x"));
        assertThrows(IllegalArgumentException.class, () -> store.release(WEB, event(DB, Verdict.RELEASED), k -> "x"));
    }

    @Test
    void audit_releasesAndRefusals_chainAndVerifyIntact() throws Exception {
        store.add(WEB, fx.baseline("kernel-1"), StoreFixture.secret(StoreFixture.randomKey()));
        for (int i = 0; i < 5; i++) {
            store.release(WEB, event(WEB, Verdict.RELEASED), k -> "sealed");
            store.audit().append(event(WEB, Verdict.REFUSED, "boot-components/kernel", "event-log/replay"));
        }
        AuditVerification v = store.audit().verify();
        AuditVerification.Intact intact = assertInstanceOf(AuditVerification.Intact.class, v);
        assertEquals(10, intact.verifiedRecords());
        List<AuditRecord> all = store.audit().tail(100);
        assertEquals(10, all.size());
        assertEquals(all.get(9).hash(), intact.headHash());
        for (int i = 1; i < all.size(); i++) {
            assertEquals(all.get(i - 1).hash(), all.get(i).previousHash());
        }
        assertEquals(List.of("boot-components/kernel", "event-log/replay"), all.get(1).event().failedChecks());
    }

    @Test
    void audit_editedRecord_brokenAtThatRecord() throws Exception {
        appendRefusals(6);
        List<String> lines = new ArrayList<>(auditLines(spec));
        lines.set(3, lines.get(3).replace("\"verdict\":\"refused\"", "\"verdict\":\"released\""));
        writeAuditLines(spec, lines);
        AuditVerification.Broken b = assertInstanceOf(AuditVerification.Broken.class, store.audit().verify());
        assertEquals(4, b.line());
        assertEquals(3, b.verifiedRecords());
        assertTrue(b.reason().contains("hash does not match"), b.reason());
    }

    @Test
    void audit_editedRecordWithRecomputedHash_brokenAtTheNextRecord() throws Exception {
        appendRefusals(6);
        List<AuditRecord> records = store.audit().tail(10);
        AuditRecord r = records.get(2);
        AuditEvent e = r.event();
        AuditEvent forged = new AuditEvent(e.time(), "10.9.9.9:1", e.imageId(), e.verdict(), e.failedChecks(),
                e.evidenceSha256());
        AuditRecord reHashed = dev.cvmfde.client.store.internal.AuditLines.next(r.seq() == 1 ? null : records.get(1), forged);
        List<String> lines = new ArrayList<>(auditLines(spec));
        lines.set(2, dev.cvmfde.client.store.internal.AuditLines.line(reHashed));
        writeAuditLines(spec, lines);
        AuditVerification.Broken b = assertInstanceOf(AuditVerification.Broken.class, store.audit().verify());
        assertEquals(4, b.line(), "record 3 is self-consistent; record 4 no longer carries its hash");
        assertTrue(b.reason().contains("prev"), b.reason());
    }

    @Test
    void audit_deletedRecord_brokenWhereItWas() throws Exception {
        appendRefusals(6);
        List<String> lines = new ArrayList<>(auditLines(spec));
        lines.remove(2);
        writeAuditLines(spec, lines);
        AuditVerification.Broken b = assertInstanceOf(AuditVerification.Broken.class, store.audit().verify());
        assertEquals(3, b.line());
        assertTrue(b.reason().contains("seq is 4, expected 3"), b.reason());
    }

    @Test
    void audit_reorderedRecords_brokenAtTheFirstMoved() throws Exception {
        appendRefusals(6);
        List<String> lines = new ArrayList<>(auditLines(spec));
        Collections.swap(lines, 1, 4);
        writeAuditLines(spec, lines);
        AuditVerification.Broken b = assertInstanceOf(AuditVerification.Broken.class, store.audit().verify());
        assertEquals(2, b.line());
    }

    @Test
    void audit_anchorFromAnEarlierVerify_holdsAfterMoreAppends() throws Exception {
        assertInstanceOf(AuditVerification.Intact.class, store.audit().verify(AuditAnchor.GENESIS));
        appendRefusals(5);
        AuditAnchor head = assertInstanceOf(AuditVerification.Intact.class, store.audit().verify()).head();
        assertEquals(5, head.seq());
        assertEquals(head, AuditAnchor.parse(head.toString()));
        appendRefusals(3);
        AuditVerification.Intact v = assertInstanceOf(AuditVerification.Intact.class, store.audit().verify(head));
        assertEquals(8, v.verifiedRecords());
        assertInstanceOf(AuditVerification.Intact.class, store.audit().verify(v.head()));
    }

    @Test
    void audit_tailCutOffAfterTheAnchor_brokenAtTheAnchoredRecordThoughTheChainAloneIsIntact() throws Exception {
        appendRefusals(8);
        AuditAnchor head = assertInstanceOf(AuditVerification.Intact.class, store.audit().verify()).head();
        writeAuditLines(spec, auditLines(spec).subList(0, 5));

        assertEquals(5, assertInstanceOf(AuditVerification.Intact.class, store.audit().verify()).verifiedRecords());
        AuditVerification.Broken b = assertInstanceOf(AuditVerification.Broken.class, store.audit().verify(head));
        assertEquals(8, b.line());
        assertEquals(5, b.verifiedRecords());
        assertTrue(b.reason().startsWith("anchor " + head + ": record 8 is missing"), b.reason());
    }

    @Test
    void audit_tailRewrittenAndRechainedAfterTheAnchor_brokenAtTheAnchoredRecord() throws Exception {
        appendRefusals(8);
        List<AuditRecord> records = store.audit().tail(10);
        AuditAnchor anchor = new AuditAnchor(6, records.get(5).hash());
        // from record 4 on: each record re-made with another peer and chained to the forged one before
        List<String> lines = new ArrayList<>(auditLines(spec).subList(0, 3));
        AuditRecord previous = records.get(2);
        for (AuditRecord r : records.subList(3, 8)) {
            AuditEvent e = r.event();
            previous = dev.cvmfde.client.store.internal.AuditLines.next(previous, new AuditEvent(e.time(), "10.9.9.9:1",
                    e.imageId(), e.verdict(), e.failedChecks(), e.evidenceSha256()));
            lines.add(dev.cvmfde.client.store.internal.AuditLines.line(previous));
        }
        writeAuditLines(spec, lines);

        assertEquals(8, assertInstanceOf(AuditVerification.Intact.class, store.audit().verify()).verifiedRecords(),
                "re-chained: the chain alone cannot tell");
        AuditVerification.Broken b = assertInstanceOf(AuditVerification.Broken.class, store.audit().verify(anchor));
        assertEquals(6, b.line());
        assertEquals(5, b.verifiedRecords());
        assertTrue(b.reason().contains("anchor " + anchor + ": record 6 now has hash"), b.reason());
    }

    @Test
    void append_afterRecords_continuesTheSequence() throws Exception {
        appendRefusals(3);
        AuditRecord next = store.audit().append(event(WEB, Verdict.REFUSED));
        assertEquals(4, next.seq());
    }

    @Test
    void audit_concurrentAppendsFromTwoStoreInstances_oneLinearChain() throws Exception {
        int threads = 8;
        int each = 25;
        try (ImageStore second = ImageStores.open(spec)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            AtomicInteger n = new AtomicInteger();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ImageStore s = t % 2 == 0 ? store : second;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        s.audit().append(event(WEB, Verdict.REFUSED, "n" + n.incrementAndGet()));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
        }
        AuditVerification.Intact v = assertInstanceOf(AuditVerification.Intact.class, store.audit().verify());
        assertEquals(threads * each, v.verifiedRecords());
    }

    @Test
    void audit_writerKilledMidBurst_trailAsLeftVerifiesWithEveryAcknowledgedRecord() throws Exception {
        AuditCrash.killMidBurstAndVerify(spec);
    }

    void appendRefusals(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            store.audit().append(event(WEB, Verdict.REFUSED, "check-" + i));
        }
    }
}
