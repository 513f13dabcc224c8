package dev.cvmfde.protocol.secret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFileTest {
    @TempDir Path dir;

    private Path write(String name, byte[] content) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return p;
    }

    private Path withMode(Path p, String mode) throws Exception {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    @Test
    void read_mode0644_refusedNamingFileModeAndChmod() throws Exception {
        Path p = withMode(write("k", new byte[32]), "rw-r--r--");
        KeyFileModeException e = assertThrows(KeyFileModeException.class, () -> KeyFile.read(p));
        assertEquals(p, e.file());
        assertEquals("0644 (rw-r--r--)", e.mode());
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("0644")
                && e.getMessage().contains("chmod 600"), e.getMessage());
    }

    @Test
    void read_mode0640_refused() throws Exception {
        Path p = withMode(write("k", new byte[32]), "rw-r-----");
        assertEquals("0640 (rw-r-----)", assertThrows(KeyFileModeException.class, () -> KeyFile.read(p)).mode());
    }

    @Test
    void readDek_worldReadable_refused() throws Exception {
        String dek = Base64.getEncoder().encodeToString(new byte[32]);
        Path p = withMode(write("dek", dek.getBytes(StandardCharsets.US_ASCII)), "rw----r--");
        assertEquals("0604 (rw----r--)", assertThrows(KeyFileModeException.class, () -> KeyFile.readDek(p)).mode());
    }

    @Test
    void read_mode0600_accepted() throws Exception {
        Path p = withMode(write("k", new byte[32]), "rw-------");
        try (KeyFile kf = KeyFile.read(p)) {
            assertEquals(32, kf.passphrase().length());
        }
    }

    @Test
    void read_mode0400_accepted() throws Exception {
        Path p = withMode(write("k", new byte[32]), "r--------");
        try (KeyFile kf = KeyFile.read(p)) {
            assertEquals(32, kf.passphrase().length());
        }
    }

    @Test
    void read_symlinkToReadableKey_refusedByTheTargetsMode() throws Exception {
        Path target = withMode(write("k", new byte[32]), "rw-r--r--");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        assertThrows(KeyFileModeException.class, () -> KeyFile.read(link));
    }

    @Test
    void read_raw32Bytes_isRawWithExactBytes() throws Exception {
        byte[] key = HexFormat.of().parseHex("00ff10203040506070809aabbccddeeff00112233445566778899aabbccddeef");
        try (KeyFile kf = KeyFile.read(write("k", key))) {
            assertEquals(KeyFile.Form.RAW, kf.form());
            assertArrayEquals(key, kf.passphrase().copy());
        }
    }

    @Test
    void read_ibmBase64Line_isBase64FormAndPassphraseIsTheText() throws Exception {
        String dek = Base64.getEncoder().encodeToString(new byte[32]);
        try (KeyFile kf = KeyFile.read(write("dek", dek.getBytes(StandardCharsets.US_ASCII)))) {
            assertEquals(KeyFile.Form.BASE64_LINE, kf.form());
            assertArrayEquals(dek.getBytes(StandardCharsets.US_ASCII), kf.passphrase().copy());
        }
    }

    @Test
    void readDek_trailingNewline_refusedNamingTheNewline() throws Exception {
        String dek = Base64.getEncoder().encodeToString(new byte[32]) + "\n";
        KeyFileException e = assertThrows(KeyFileException.class,
                () -> KeyFile.readDek(write("dek", dek.getBytes(StandardCharsets.US_ASCII))));
        assertTrue(e.getMessage().contains("trailing newline"), e.getMessage());
    }

    @Test
    void readDek_newlineInTheMiddle_refused() throws Exception {
        String b64 = Base64.getEncoder().encodeToString(new byte[48]);
        String dek = b64.substring(0, 20) + "\n" + b64.substring(20);
        assertThrows(KeyFileException.class, () -> KeyFile.readDek(write("dek", dek.getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void readDek_tooShort_refusedWithCount() throws Exception {
        KeyFileException e = assertThrows(KeyFileException.class,
                () -> KeyFile.readDek(write("dek", "QUJDRA==".getBytes(StandardCharsets.US_ASCII))));
        assertTrue(e.getMessage().contains("8 base64 characters"), e.getMessage());
    }

    @Test
    void readDek_tooLong_refused() throws Exception {
        String dek = Base64.getEncoder().encodeToString(new byte[400]);
        assertThrows(KeyFileException.class, () -> KeyFile.readDek(write("dek", dek.getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void readDek_notBase64_refused() throws Exception {
        String dek = "this-is-not-base64-because-of-dashes-ok";
        assertThrows(KeyFileException.class, () -> KeyFile.readDek(write("dek", dek.getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void readDek_badPadding_refused() throws Exception {
        String dek = "A".repeat(33);
        assertThrows(KeyFileException.class, () -> KeyFile.readDek(write("dek", dek.getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void read_shortRawKey_refused() throws Exception {
        assertThrows(KeyFileException.class, () -> KeyFile.read(write("k", new byte[] {1, 2, (byte) 0x80})));
    }

    @Test
    void read_empty_refused() throws Exception {
        assertThrows(KeyFileException.class, () -> KeyFile.read(write("k", new byte[0])));
    }

    @Test
    void read_hugeFile_refusedWithoutReadingItAll() throws Exception {
        assertThrows(KeyFileException.class, () -> KeyFile.read(write("k", new byte[KeyFile.MAX_KEY_FILE_BYTES + 1])));
    }

    @Test
    void read_missingFile_refused() {
        assertThrows(KeyFileException.class, () -> KeyFile.read(dir.resolve("absent")));
    }

    @Test
    void generateDek_thenWriteAndRead_roundTripsWithMode0600() throws Exception {
        Path out = dir.resolve("new.dek");
        try (KeyFile generated = KeyFile.generateDek(new SecureRandom())) {
            generated.writeNew(out);
            try (KeyFile read = KeyFile.readDek(out)) {
                assertTrue(read.passphrase().sameAs(generated.passphrase()));
            }
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        assertEquals(44, Files.size(out));
    }

    @Test
    void writeNew_existingFile_refusedAndFileUnchanged() throws Exception {
        Path out = write("exists", new byte[] {42});
        try (KeyFile generated = KeyFile.generateRaw(new SecureRandom())) {
            assertThrows(KeyFileException.class, () -> generated.writeNew(out));
        }
        assertArrayEquals(new byte[] {42}, Files.readAllBytes(out));
    }

    @Test
    void toString_neverShowsKeyBytes() throws Exception {
        String dek = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=";
        try (KeyFile kf = KeyFile.readDek(write("dek", dek.getBytes(StandardCharsets.US_ASCII)))) {
            assertFalse(kf.toString().contains("QUFB"), kf.toString());
        }
    }

    @Test
    void close_zeroizesAndForbidsUse() throws Exception {
        KeyFile kf = KeyFile.generateRaw(new SecureRandom());
        kf.close();
        assertTrue(kf.passphrase().isDestroyed());
        assertThrows(IllegalStateException.class, () -> kf.passphrase().copy());
    }
}
