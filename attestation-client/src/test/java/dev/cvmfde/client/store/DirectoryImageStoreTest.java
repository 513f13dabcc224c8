package dev.cvmfde.client.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The contract on the directory store, plus what only a directory can do (torn lines, file modes, swapped files). */
class DirectoryImageStoreTest extends ImageStoreContract {
    private int stores;

    @Override
    String newSpec() {
        return "dir:" + tmp.resolve("store" + (++stores));
    }

    static Path dir(String spec) {
        return Path.of(spec.substring("dir:".length()));
    }

    @Override
    byte[] rawContents(String spec) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (Stream<Path> files = Files.walk(dir(spec))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                all.write(f.toString().getBytes(StandardCharsets.UTF_8));
                all.write(Files.readAllBytes(f));
            }
        }
        return all.toByteArray();
    }

    @Override
    List<String> auditLines(String spec) throws Exception {
        return Files.readAllLines(dir(spec).resolve("audit.jsonl"));
    }

    @Override
    void writeAuditLines(String spec, List<String> lines) throws Exception {
        Files.write(dir(spec).resolve("audit.jsonl"), lines);
    }

    @Test
    void files_storeAndImages_onlyTheOwnerMayRead() throws Exception {
        store.add(WEB, fx.baseline("kernel-1"), StoreFixture.secret(StoreFixture.randomKey()));
        appendRefusals(1);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir(spec))));
        for (Path f : List.of(dir(spec).resolve("store.json"), dir(spec).resolve("images/web-01.json"),
                dir(spec).resolve("audit.jsonl"))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
        }
    }

    @Test
    void wrappedKeyCopiedToAnotherImage_doesNotUnwrap() throws Exception {
        store.add(WEB, fx.baseline("kernel-1"), StoreFixture.secret(StoreFixture.randomKey()));
        store.add(DB, fx.baseline("kernel-2"), StoreFixture.secret(StoreFixture.randomKey()));
        Path images = dir(spec).resolve("images");
        String web = Files.readString(images.resolve("web-01.json"));
        Files.writeString(images.resolve("db-01.json"), web.replace("\"web-01\"", "\"db-01\""));
        // the DEK was wrapped with "web-01" as associated data: under db-01's name the tag fails
        RootKeyUnavailableException e = assertThrows(RootKeyUnavailableException.class, () -> store.unwrapKey(DB));
        assertTrue(e.getMessage().contains("tag mismatch"), e.getMessage());
    }

    @Test
    void imageFileRenamed_refusedAsCorrupt() throws Exception {
        store.add(WEB, fx.baseline("kernel-1"), StoreFixture.secret(StoreFixture.randomKey()));
        Path images = dir(spec).resolve("images");
        Files.move(images.resolve("web-01.json"), images.resolve("db-01.json"));
        assertThrows(StoreCorruptException.class, () -> store.unwrapKey(DB));
    }

    @Test
    void audit_truncatedMidLine_tornTailAndTheRecordsBeforeVerify() throws Exception {
        appendRefusals(5);
        Path trail = dir(spec).resolve("audit.jsonl");
        long size = Files.size(trail);
        try (FileChannel ch = FileChannel.open(trail, StandardOpenOption.WRITE)) {
            ch.truncate(size - 40); // inside the fifth line: a crash mid-write
        }
        AuditVerification.TornTail torn = assertInstanceOf(AuditVerification.TornTail.class, store.audit().verify());
        assertEquals(4, torn.verifiedRecords());
        assertEquals(5, torn.line());

        // the next append (a new process: nothing cached) cuts the torn line and chains to record 4
        try (ImageStore next = ImageStores.open(spec)) {
            AuditRecord r = next.audit().append(event(WEB, Verdict.REFUSED));
            assertEquals(5, r.seq());
        }
        AuditVerification.Intact intact = assertInstanceOf(AuditVerification.Intact.class, store.audit().verify());
        assertEquals(5, intact.verifiedRecords());
    }

    @Test
    void audit_tornLineInTheMiddle_isBroken() throws Exception {
        appendRefusals(4);
        List<String> lines = new java.util.ArrayList<>(auditLines(spec));
        lines.set(1, lines.get(1).substring(0, 30));
        writeAuditLines(spec, lines);
        AuditVerification.Broken b = assertInstanceOf(AuditVerification.Broken.class, store.audit().verify());
        assertEquals(2, b.line());
    }

    @Test
    void audit_damagedLastRecord_appendRefusesRatherThanChainToIt() throws Exception {
        appendRefusals(3);
        List<String> lines = new java.util.ArrayList<>(auditLines(spec));
        lines.set(2, lines.get(2).replace("refused", "released"));
        writeAuditLines(spec, lines);
        try (ImageStore next = ImageStores.open(spec)) {
            assertThrows(StoreCorruptException.class, () -> next.audit().append(event(WEB, Verdict.REFUSED)));
        }
    }
}
