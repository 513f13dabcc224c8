package dev.cvmfde.client.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file root key: its mode, its length, and what a wrong key or an altered blob does. */
class RootKeysTest {
    @TempDir
    Path tmp;

    @Test
    void generateFile_0600AndNeverOverwrites() throws Exception {
        Path f = StoreFixture.rootKeyFile(tmp, "root.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(32, Files.size(f));
        byte[] before = Files.readAllBytes(f);
        assertThrows(FileAlreadyExistsException.class, () -> RootKeys.generateFile(f));
        assertArrayEquals(before, Files.readAllBytes(f));
    }

    @Test
    void open_readableByGroup_refusedNamingTheMode() throws Exception {
        Path f = StoreFixture.rootKeyFile(tmp, "root.key");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        RootKeyUnavailableException e = assertThrows(RootKeyUnavailableException.class, () -> RootKeys.open(f.toString()));
        assertTrue(e.getMessage().contains("0640"), e.getMessage());
    }

    @Test
    void open_missingOrWrongLength_refused() throws Exception {
        assertThrows(RootKeyUnavailableException.class, () -> RootKeys.open("file:" + tmp.resolve("none")));
        Path shortKey = StoreFixture.writeKeyFile(tmp, "short.key", new byte[16]);
        RootKeyUnavailableException e = assertThrows(RootKeyUnavailableException.class,
                () -> RootKeys.open(shortKey.toString()));
        assertTrue(e.getMessage().contains("16 bytes"), e.getMessage());
    }

    @Test
    void open_unknownScheme_usageError() {
        assertThrows(IllegalArgumentException.class, () -> RootKeys.open("kms://vault/key"));
        assertThrows(IllegalArgumentException.class, () -> RootKeys.open("pkcs11:/etc/p11.cfg?alias=x"));
    }

    @Test
    void unwrap_otherAadOrAlteredBlobOrClosedKey_refused() throws Exception {
        RootKey root = RootKeys.open(StoreFixture.rootKeyFile(tmp, "root.key").toString());
        byte[] aad = "image a".getBytes(StandardCharsets.US_ASCII);
        byte[] wrapped = root.wrap(new byte[32], aad);
        assertArrayEquals(new byte[32], root.unwrap(wrapped, aad));
        assertThrows(RootKeyUnavailableException.class,
                () -> root.unwrap(wrapped, "image b".getBytes(StandardCharsets.US_ASCII)));
        wrapped[wrapped.length - 1] ^= 1;
        assertThrows(RootKeyUnavailableException.class, () -> root.unwrap(wrapped, aad));
        root.close();
        assertThrows(RootKeyUnavailableException.class, () -> root.wrap(new byte[32], aad));
        assertTrue(root.toString().contains("redacted"));
    }
}
