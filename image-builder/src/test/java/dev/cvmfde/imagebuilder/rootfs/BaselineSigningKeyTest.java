package dev.cvmfde.imagebuilder.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build key that signs every hash.json: made on first use, owner-only, reused, never world-readable. */
class BaselineSigningKeyTest {
    @TempDir
    Path dir;

    @Test
    void loadOrCreate_noKey_madeOwnerOnlyWithPublicHalfThenReused() throws Exception {
        Path file = dir.resolve("config/cvm-fde/baseline-signing.jwk");

        BaselineSigningKey first = BaselineSigningKey.loadOrCreate(file);
        BaselineSigningKey again = BaselineSigningKey.loadOrCreate(file);

        assertTrue(first.created());
        assertFalse(again.created());
        assertEquals(first.key().toPublicJWK(), again.key().toPublicJWK());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        Path pub = dir.resolve("config/cvm-fde/baseline-signing.pub.jwk");
        assertEquals(pub, first.publicFile());
        ECKey pinned = ECKey.parse(Files.readString(pub));
        assertFalse(pinned.isPrivate(), "the file to pin holds no private part");
        assertEquals(first.key().toPublicJWK(), pinned);
        assertFalse(first.toString().contains(first.key().getD().toString()));
    }

    @Test
    void loadOrCreate_groupReadableKey_refused() throws Exception {
        Path file = dir.resolve("k.jwk");
        BaselineSigningKey.loadOrCreate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        EncryptException e = assertThrows(EncryptException.class, () -> BaselineSigningKey.loadOrCreate(file));
        assertEquals(EncryptException.Step.BASELINE, e.step());
    }

    @Test
    void defaultFile_xdgConfigHomeElseDotConfig() {
        assertEquals(Path.of("/x/cvm-fde/baseline-signing.jwk"),
                BaselineSigningKey.defaultFile(Map.of("XDG_CONFIG_HOME", "/x"), "/home/u"));
        assertEquals(Path.of("/home/u/.config/cvm-fde/baseline-signing.jwk"),
                BaselineSigningKey.defaultFile(Map.of("XDG_CONFIG_HOME", "relative"), "/home/u"));
        assertEquals(Path.of("/home/u/.config/cvm-fde/baseline-signing.jwk"), BaselineSigningKey.defaultFile(Map.of(), "/home/u"));
    }
}
