package dev.cvmfde.client.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.client.release.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code image add|list|remove|rotate-baseline}, {@code audit verify|show}, {@code root-key}, in process. */
class StoreCommandsTest {
    @TempDir
    Path tmp;
    StoreFixture fx;
    Path rootKey;
    Path signer;
    Path baseline;
    byte[] key;
    Path keyFile;
    String store;

    @BeforeEach
    void files() throws Exception {
        fx = new StoreFixture();
        rootKey = tmp.resolve("root.key");
        signer = fx.writeSigner(tmp);
        baseline = fx.writeBaseline(tmp, "web-01.hash.json", "kernel-1");
        key = StoreFixture.randomKey();
        keyFile = StoreFixture.writeKeyFile(tmp, "web-01.key", key);
        store = "dir:" + tmp.resolve("store");
        assertEquals(0, CliRun.of("root-key", "--out", rootKey.toString()).exit());
    }

    CliRun add(String id, Path hashJson, Path keyFile) {
        return CliRun.of("image", "add", "--store", store, "--root-key", rootKey.toString(), "--id", id,
                "--baseline", hashJson.toString(), "--baseline-signer", signer.toString(), "--key-file", keyFile.toString());
    }

    @Test
    void add_thenList_showsTheImageAndItsBaselineNeverTheKey() throws Exception {
        CliRun r = add("web-01", baseline, keyFile);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("added image 'web-01'"), r.out());
        CliRun list = CliRun.of("image", "list", "--store", store);
        assertEquals(0, list.exit(), list.toString());
        String sha = StoredBaselineDigest.of(StoreFixture.hashJson("kernel-1"));
        assertTrue(list.out().contains("web-01") && list.out().contains(sha) && list.out().contains("accepted"), list.out());
        CliRun json = CliRun.of("image", "list", "--store", store, "--json");
        assertTrue(json.out().contains("\"acceptedNow\" : true"), json.out());
        try (RootKey root = RootKeys.open(rootKey.toString()); ImageStore s = ImageStores.open(store, root)) {
            assertTrue(java.util.Arrays.equals(key, s.unwrapKey(ImageStoreContract.WEB).copy()));
        }
        for (byte[] form : StoreFixture.leakForms(key)) {
            assertFalse(StoreFixture.contains((list.out() + json.out() + r.out() + r.err()).getBytes(StandardCharsets.UTF_8),
                    form));
        }
    }

    @Test
    void add_baselineEditedAfterSigning_exit1AtSignatureAndNothingStored() throws Exception {
        Files.write(baseline, StoreFixture.hashJson("kernel-evil"));
        CliRun r = add("web-01", baseline, keyFile);
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("hash.json-signature"), r.err());
        assertFalse(Files.exists(tmp.resolve("store/images/web-01.json")));
    }

    @Test
    void add_missingSignatureFile_exit1NamingIt() throws Exception {
        Files.delete(tmp.resolve("web-01.hash.json.jws"));
        CliRun r = add("web-01", baseline, keyFile);
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("web-01.hash.json.jws"), r.err());
    }

    @Test
    void add_keyFileReadableByOthersOrRootKeyMissing_exit1() throws Exception {
        Files.setPosixFilePermissions(keyFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        CliRun r = add("web-01", baseline, keyFile);
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("chmod 600"), r.err());
        Files.setPosixFilePermissions(keyFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.delete(rootKey);
        r = add("web-01", baseline, keyFile);
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("root key file") && r.err().contains("does not exist"), r.err());
    }

    @Test
    void add_twiceOrBadId_refused() throws Exception {
        assertEquals(0, add("web-01", baseline, keyFile).exit());
        CliRun again = add("web-01", baseline, keyFile);
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("already in the store"), again.err());
        assertEquals(2, add("../etc", baseline, keyFile).exit());
    }

    @Test
    void remove_needsYes_thenUnknown() throws Exception {
        assertEquals(0, add("web-01", baseline, keyFile).exit());
        CliRun no = CliRun.of("image", "remove", "--store", store, "--id", "web-01");
        assertEquals(2, no.exit());
        assertTrue(no.err().contains("--yes"), no.err());
        assertEquals(0, CliRun.of("image", "remove", "--store", store, "--id", "web-01", "--yes").exit());
        CliRun gone = CliRun.of("image", "remove", "--store", store, "--id", "web-01", "--yes");
        assertEquals(1, gone.exit());
        assertTrue(gone.err().contains("no image 'web-01'"), gone.err());
    }

    @Test
    void rotateBaseline_untilDate_oldAndNewAcceptedUntilThenOnlyNew() throws Exception {
        assertEquals(0, add("web-01", baseline, keyFile).exit());
        Path v2 = fx.writeBaseline(tmp, "web-01-v2.hash.json", "kernel-2");
        LocalDate day = LocalDate.now(ZoneOffset.UTC).plusDays(10);
        CliRun r = CliRun.of("image", "rotate-baseline", "--store", store, "--id", "web-01", "--baseline", v2.toString(),
                "--baseline-signer", signer.toString(), "--until", day.toString());
        assertEquals(0, r.exit(), r.toString());
        Instant until = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        try (ImageStore s = ImageStores.open(store)) {
            assertEquals(2, s.acceptableBaselines(ImageStoreContract.WEB, until.minus(Duration.ofMinutes(1))).size());
            List<StoredBaseline> after = s.acceptableBaselines(ImageStoreContract.WEB, until);
            assertEquals(1, after.size());
            assertTrue(java.util.Arrays.equals(StoreFixture.hashJson("kernel-2"), after.get(0).hashJson()));
        }
        CliRun list = CliRun.of("image", "list", "--store", store);
        assertTrue(list.out().contains("accepted until " + until + " (rollout)"), list.out());
    }

    @Test
    void rotateBaseline_pastOrMalformedDate_usage() throws Exception {
        assertEquals(0, add("web-01", baseline, keyFile).exit());
        for (String until : List.of("2020-01-01", "next tuesday")) {
            CliRun r = CliRun.of("image", "rotate-baseline", "--store", store, "--id", "web-01", "--baseline",
                    baseline.toString(), "--baseline-signer", signer.toString(), "--until", until);
            assertEquals(2, r.exit(), r.toString());
        }
    }

    @Test
    void auditVerify_intactThenEditedThenDeleted_namesTheRecord() throws Exception {
        assertEquals(0, add("web-01", baseline, keyFile).exit());
        try (ImageStore s = ImageStores.open(store)) {
            for (int i = 0; i < 4; i++) {
                s.audit().append(ImageStoreContract.event(ImageStoreContract.WEB, Verdict.REFUSED, "check-" + i));
            }
        }
        CliRun ok = CliRun.of("audit", "verify", "--store", store);
        assertEquals(0, ok.exit(), ok.toString());
        assertTrue(ok.out().startsWith("intact: 4 record(s)"), ok.out());
        CliRun show = CliRun.of("audit", "show", "--store", store, "--last", "2");
        assertEquals(2, show.out().lines().count(), show.out());

        Path trail = tmp.resolve("store/audit.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(trail));
        List<String> edited = new ArrayList<>(lines);
        edited.set(2, edited.get(2).replace("check-2", "check-X"));
        Files.write(trail, edited);
        CliRun bad = CliRun.of("audit", "verify", "--store", store);
        assertEquals(3, bad.exit(), bad.toString());
        assertTrue(bad.out().startsWith("BROKEN at record 3"), bad.out());

        List<String> deleted = new ArrayList<>(lines);
        deleted.remove(1);
        Files.write(trail, deleted);
        CliRun del = CliRun.of("audit", "verify", "--store", store);
        assertEquals(3, del.exit());
        assertTrue(del.out().startsWith("BROKEN at record 2") && del.out().contains("seq is 3, expected 2"), del.out());
    }

    @Test
    void auditVerify_tornLastLine_exit0SayingTornTail() throws Exception {
        assertEquals(0, add("web-01", baseline, keyFile).exit());
        try (ImageStore s = ImageStores.open(store)) {
            s.audit().append(ImageStoreContract.event(ImageStoreContract.WEB, Verdict.REFUSED));
            s.audit().append(ImageStoreContract.event(ImageStoreContract.WEB, Verdict.REFUSED));
        }
        Path trail = tmp.resolve("store/audit.jsonl");
        byte[] all = Files.readAllBytes(trail);
        Files.write(trail, java.util.Arrays.copyOf(all, all.length - 25));
        CliRun r = CliRun.of("audit", "verify", "--store", store);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("torn-tail: line 2") && r.out().contains("1 record(s) chain"), r.out());
    }

    @Test
    void auditVerify_anchorFromThePrintedHead_holdsLaterThenTailCutOffExit3NamingIt() throws Exception {
        assertEquals(0, add("web-01", baseline, keyFile).exit());
        try (ImageStore s = ImageStores.open(store)) {
            for (int i = 0; i < 4; i++) {
                s.audit().append(ImageStoreContract.event(ImageStoreContract.WEB, Verdict.REFUSED, "check-" + i));
            }
        }
        CliRun first = CliRun.of("audit", "verify", "--store", store);
        java.util.regex.Matcher head = java.util.regex.Pattern.compile("; head (4:[0-9a-f]{64})$").matcher(first.out().strip());
        assertTrue(head.find(), first.out());
        String anchor = head.group(1);
        try (ImageStore s = ImageStores.open(store)) {
            s.audit().append(ImageStoreContract.event(ImageStoreContract.WEB, Verdict.REFUSED, "check-4"));
        }

        CliRun held = CliRun.of("audit", "verify", "--store", store, "--anchor", anchor);
        assertEquals(0, held.exit(), held.toString());
        assertTrue(held.out().startsWith("intact: 5 record(s)") && held.out().contains("anchor " + anchor + " holds")
                && held.out().contains("; head 5:"), held.out());

        Path trail = tmp.resolve("store/audit.jsonl");
        Files.write(trail, Files.readAllLines(trail).subList(0, 2));
        assertEquals(0, CliRun.of("audit", "verify", "--store", store).exit(), "the chain alone cannot tell");
        CliRun cut = CliRun.of("audit", "verify", "--store", store, "--anchor", anchor);
        assertEquals(3, cut.exit(), cut.toString());
        assertTrue(cut.out().startsWith("BROKEN at record 4") && cut.out().contains("anchor " + anchor + ": record 4 is "
                + "missing; the trail ends at record 2"), cut.out());
    }

    @Test
    void auditVerify_malformedAnchor_usage2NamingTheOption() throws Exception {
        assertEquals(0, add("web-01", baseline, keyFile).exit());
        String hash = "ab".repeat(32);
        for (String anchor : List.of("", "4", hash, "4:" + hash.substring(2), "x:" + hash, "-1:" + hash, "4:" + hash + "00",
                "0:" + hash, "4:" + hash.replace('a', 'g'))) {
            CliRun r = CliRun.of("audit", "verify", "--store", store, "--anchor", anchor);
            assertEquals(2, r.exit(), anchor + ": " + r);
            assertTrue(r.err().contains("--anchor"), r.err());
        }
        CliRun genesis = CliRun.of("audit", "verify", "--store", store, "--anchor", "0:" + "0".repeat(64));
        assertEquals(0, genesis.exit(), "the empty trail's head holds for every trail: " + genesis);
    }

    @Test
    void missingStoreOrSubcommand_errors() {
        CliRun r = CliRun.of("audit", "verify", "--store", "dir:" + tmp.resolve("nothing"));
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no image store"), r.err());
        assertEquals(2, CliRun.of("image").exit());
        assertEquals(2, CliRun.of("audit").exit());
        CliRun scheme = CliRun.of("image", "list", "--store", "kms://x");
        assertEquals(2, scheme.exit(), scheme.toString());
        assertTrue(scheme.err().contains("unknown scheme"), scheme.err());
    }

    @Test
    void rootKey_neverOverwrites() throws Exception {
        byte[] before = Files.readAllBytes(rootKey);
        CliRun r = CliRun.of("root-key", "--out", rootKey.toString());
        assertEquals(1, r.exit());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(rootKey)));
    }

    @Test
    void help_teachesTheCommands() {
        CliRun image = CliRun.of("image", "--help");
        assertEquals(0, image.exit());
        assertTrue(image.out().contains("rotate-baseline") && image.out().contains("root key"), image.out());
        CliRun add = CliRun.of("image", "add", "--help");
        assertTrue(add.out().contains("--baseline-signer") && add.out().contains("pkcs11:"), add.out());
        CliRun audit = CliRun.of("audit", "verify", "--help");
        assertTrue(audit.out().contains("torn-tail") && audit.out().contains("3  broken"), audit.out());
        assertTrue(audit.out().contains("--anchor=SEQ:HASH") && audit.out().contains("head SEQ:HASH"), audit.out());
    }

    /** The digest {@code image list} shows for a baseline. */
    static final class StoredBaselineDigest {
        static String of(byte[] hashJson) throws Exception {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(hashJson));
        }
    }
}
