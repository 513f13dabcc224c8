package dev.cvmfde.agent.luks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cvmfde.agent.LuksFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The header checks against real cryptsetup-made LUKS2 files, and the headers a hostile host
 * writes instead: each tampered header is first shown to be one cryptsetup itself reads
 * ({@code cryptsetup luksDump} exits 0), then refused naming the field.
 */
@Timeout(120)
class LuksHeaderCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    LuksFixture volume;

    @BeforeEach
    void format() throws Exception {
        volume = LuksFixture.format(tmp.resolve("root.luks"));
    }

    @Test
    void read_genuineHeader_acceptedAndCopyOpensWithTheKey() throws Exception {
        ValidatedHeader header = LuksHeaderCheck.read(volume.file, volume.uuid, volume.pin);
        Path copy = header.writeCopy(tmp.resolve("run"));

        assertEquals(16L << 20, Files.size(copy));
        assertEquals(0, cryptsetup(volume.key, "open", "--test-passphrase", "--header", copy.toString(), "--key-file=-",
                volume.file.toString()));
        ValidatedHeader.deleteCopy(copy);
        assertTrue(Files.notExists(copy.getParent()));
    }

    @Test
    void read_cipherNullHeaderWithTheImagesUuid_refusedNamingTheField() throws Exception {
        tamper(root -> {
            keyslotArea(root).put("encryption", "cipher_null-ecb");
            segment(root, "0").put("encryption", "cipher_null-ecb");
        });
        assertTrue(luksDump().contains("cipher_null-ecb"), "cryptsetup reads the swapped header");

        HeaderRefusedException e = refused(volume.pin);
        assertEquals("keyslots.0.area.encryption", e.field());
        assertTrue(e.getMessage().contains("cipher_null-ecb"), e.getMessage());
    }

    @Test
    void read_cipherNullSegmentOnly_refusedNamingTheSegment() throws Exception {
        tamper(root -> segment(root, "0").put("encryption", "cipher_null-ecb"));
        luksDump();

        assertEquals("segments.0.encryption", refused(volume.pin).field());
    }

    @Test
    void read_extraKeyslot_refused() throws Exception {
        tamper(root -> {
            ObjectNode slots = (ObjectNode) root.get("keyslots");
            ObjectNode extra = slots.get("0").deepCopy();
            ((ObjectNode) extra.get("area")).put("offset", "290816");
            slots.set("1", extra);
            ((ObjectNode) root.get("digests").get("0")).putArray("keyslots").add("0").add("1");
        });
        assertTrue(luksDump().contains("  1: luks2"), "cryptsetup reads the second keyslot");

        HeaderRefusedException e = refused(volume.pin);
        assertEquals("keyslots", e.field());
        assertTrue(e.getMessage().contains("[0, 1]"), e.getMessage());
    }

    @Test
    void read_extraSegment_refused() throws Exception {
        tamper(root -> {
            ObjectNode segments = (ObjectNode) root.get("segments");
            segment(root, "0").put("size", "1048576");
            ObjectNode extra = segment(root, "0").deepCopy();
            extra.put("offset", String.valueOf((16L << 20) + 1048576)).put("size", "dynamic");
            segments.set("1", extra);
            ((ObjectNode) root.get("digests").get("0")).putArray("segments").add("0").add("1");
        });
        assertTrue(luksDump().contains("  1: crypt"), "cryptsetup reads the second segment");

        assertEquals("segments", refused(volume.pin).field());
    }

    @Test
    void read_unexpectedToken_refused() throws Exception {
        tamper(root -> ((ObjectNode) root.get("tokens")).putObject("0").put("type", "systemd-tpm2").putArray("keyslots").add("0"));
        luksDump();

        assertEquals("tokens", refused(volume.pin).field());
    }

    @Test
    void read_weakerKdf_refusedNamingTheParameter() throws Exception {
        tamper(root -> ((ObjectNode) root.get("keyslots").get("0").get("kdf")).put("iterations", 1001));
        luksDump();

        HeaderRefusedException e = refused(volume.pin);
        assertEquals("keyslots.0.kdf.iterations", e.field());
        assertTrue(e.getMessage().contains("expected 1000, found 1001"), e.getMessage());
    }

    @Test
    void read_otherShapeThanRecorded_refusedWithExpectedAndActual() throws Exception {
        LuksHeaderPin other = new LuksHeaderPin(16384, "aes-xts-plain64", 16L << 20, 4096, 64, "aes-xts-plain64", "sha256",
                volume.pin.kdf(), volume.pin.volumeKeyFingerprint());

        HeaderRefusedException e = refused(other);
        assertEquals("segments.0.sector_size", e.field());
        assertTrue(e.getMessage().contains("expected 4096, found 512"), e.getMessage());
    }

    @Test
    void read_otherUuid_refused() throws Exception {
        HeaderRefusedException e = assertThrows(HeaderRefusedException.class,
                () -> LuksHeaderCheck.read(volume.file, "11111111-2222-4333-8444-555555555555", volume.pin));

        assertEquals("primary.uuid", e.field());
    }

    @Test
    void read_secondaryChecksumBroken_refused() throws Exception {
        LuksHeaderTamper.editBinary(volume.file, 16384, 24, "label".getBytes(), false);

        assertEquals("secondary.csum", refused(volume.pin).field());
    }

    @Test
    void read_secondaryWithOtherSeqid_refused() throws Exception {
        LuksHeaderTamper.editBinary(volume.file, 16384, 16, new byte[] {0, 0, 0, 0, 0, 0, 0, 99}, true);

        assertEquals("secondary.seqid", refused(volume.pin).field());
    }

    @Test
    void read_otherMetadataSize_refusedBeforeReadingIt() throws Exception {
        LuksHeaderTamper.editBinary(volume.file, 0, 8, new byte[] {0, 0, 0, 0, 0x40, 0, 0, 0}, true);

        HeaderRefusedException e = refused(volume.pin);
        assertEquals("hdr_size", e.field());
        assertTrue(e.getMessage().contains("expected 16384, found 1073741824"), e.getMessage());
    }

    @Test
    void read_notLuks_refused() throws Exception {
        Path plain = tmp.resolve("plain.img");
        Files.write(plain, new byte[1 << 16]);

        HeaderRefusedException e = assertThrows(HeaderRefusedException.class,
                () -> LuksHeaderCheck.read(plain, volume.uuid, volume.pin));
        assertEquals("magic", e.field());
    }

    @Test
    void writeCopy_diskRewrittenAfterValidation_copyHoldsTheValidatedBytes() throws Exception {
        byte[] before = Files.readAllBytes(volume.file);
        ValidatedHeader header = LuksHeaderCheck.read(volume.file, volume.uuid, volume.pin);
        tamper(root -> segment(root, "0").put("encryption", "cipher_null-ecb"));

        Path copy = header.writeCopy(tmp.resolve("run"));
        byte[] copied = Files.readAllBytes(copy);
        assertArrayEquals(java.util.Arrays.copyOf(before, 2 * 16384), java.util.Arrays.copyOf(copied, 2 * 16384));
        assertEquals(0, cryptsetup(volume.key, "open", "--test-passphrase", "--header", copy.toString(), "--key-file=-",
                volume.file.toString()));
    }

    private HeaderRefusedException refused(LuksHeaderPin pin) {
        return assertThrows(HeaderRefusedException.class, () -> LuksHeaderCheck.read(volume.file, volume.uuid, pin));
    }

    private void tamper(Consumer<ObjectNode> edit) throws IOException {
        LuksHeaderTamper.editJson(volume.file, json -> {
            try {
                ObjectNode root = (ObjectNode) JSON.readTree(json);
                edit.accept(root);
                return JSON.writeValueAsString(root);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static ObjectNode keyslotArea(ObjectNode root) {
        return (ObjectNode) root.get("keyslots").get("0").get("area");
    }

    static ObjectNode segment(ObjectNode root, String id) {
        return (ObjectNode) root.get("segments").get(id);
    }

    private String luksDump() throws Exception {
        Process p = new ProcessBuilder("cryptsetup", "luksDump", volume.file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "cryptsetup luksDump refused the tampered header: " + out);
        return out;
    }

    private static int cryptsetup(byte[] key, String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("cryptsetup"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(key);
        }
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue();
    }

}
