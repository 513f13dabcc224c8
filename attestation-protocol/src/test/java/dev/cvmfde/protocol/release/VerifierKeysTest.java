package dev.cvmfde.protocol.release;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.cvmfde.protocol.secret.KeyFileModeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifierKeysTest {
    private static final Path VECTORS = Path.of("src/test/resources/vectors/binding");

    @TempDir
    Path dir;

    @Test
    void generate_signingKey_p384WithThumbprintKid() throws Exception {
        ECKey key = VerifierKeys.generate();
        assertEquals(Curve.P_384, key.getCurve());
        assertTrue(key.isPrivate());
        assertEquals(key.computeThumbprint().toString(), key.getKeyID());
    }

    @Test
    void writePrivateJwk_newFile_mode0600AndReadsBack() throws Exception {
        ECKey key = VerifierKeys.generate();
        Path file = dir.resolve("verifier.jwk");
        VerifierKeys.writePrivateJwk(key, file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(key, VerifierKeys.readSigningKey(file));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "temp file left behind");
        }
    }

    @Test
    void writePrivateJwk_existingFile_refusedAndUnchanged() throws Exception {
        Path file = dir.resolve("verifier.jwk");
        Files.writeString(file, "precious");
        assertThrows(KeyMaterialException.class, () -> VerifierKeys.writePrivateJwk(VerifierKeys.generate(), file));
        assertEquals("precious", Files.readString(file));
    }

    @Test
    void readSigningKey_groupReadable_refused() throws Exception {
        Path file = dir.resolve("verifier.jwk");
        VerifierKeys.writePrivateJwk(VerifierKeys.generate(), file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        KeyMaterialException e = assertThrows(KeyMaterialException.class, () -> VerifierKeys.readSigningKey(file));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
        KeyFileModeException mode = assertInstanceOf(KeyFileModeException.class, e.getCause());
        assertEquals("0640 (rw-r-----)", mode.mode());
        assertEquals(file, mode.file());
    }

    @Test
    void readSigningKey_worldReadable0644_refused() throws Exception {
        Path file = dir.resolve("verifier.jwk");
        VerifierKeys.writePrivateJwk(VerifierKeys.generate(), file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        KeyMaterialException e = assertThrows(KeyMaterialException.class, () -> VerifierKeys.readSigningKey(file));
        assertEquals("0644 (rw-r--r--)", assertInstanceOf(KeyFileModeException.class, e.getCause()).mode());
    }

    @Test
    void readSigningKey_mode0600_accepted() throws Exception {
        Path file = dir.resolve("verifier.jwk");
        ECKey key = VerifierKeys.generate();
        VerifierKeys.writePrivateJwk(key, file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertEquals(key.getKeyID(), VerifierKeys.readSigningKey(file).getKeyID());
    }

    @Test
    void readSigningKey_publicJwk_refused() throws Exception {
        Path file = dir.resolve("verifier.pub.jwk");
        VerifierKeys.writePublicJwk(VerifierKeys.generate(), file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThrows(KeyMaterialException.class, () -> VerifierKeys.readSigningKey(file));
    }

    @Test
    void pinnedRead_publicJwkAndPem_sameKeyAsGenerated() throws Exception {
        ECKey key = VerifierKeys.generate();
        VerifierKeys.writePublicJwk(key, dir.resolve("v.pub.jwk"));
        VerifierKeys.writePublicPem(key, dir.resolve("v.pub.pem"));
        PinnedVerifierKey fromJwk = PinnedVerifierKey.read(dir.resolve("v.pub.jwk"));
        PinnedVerifierKey fromPem = PinnedVerifierKey.read(dir.resolve("v.pub.pem"));
        assertEquals(key.computeThumbprint(), fromJwk.publicKey().computeThumbprint());
        assertEquals(key.computeThumbprint(), fromPem.publicKey().computeThumbprint());
        assertFalse(Files.readString(dir.resolve("v.pub.jwk")).contains("\"d\""));
    }

    @Test
    void writePublicPem_opensslReadsIt_sameCoordinates() throws Exception {
        ECKey key = VerifierKeys.generate();
        Path pem = dir.resolve("v.pub.pem");
        VerifierKeys.writePublicPem(key, pem);
        Process openssl = new ProcessBuilder("openssl", "ec", "-pubin", "-in", pem.toString(), "-outform", "DER")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] der = openssl.getInputStream().readAllBytes();
        assertTrue(openssl.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, openssl.exitValue(), "openssl could not read the PEM");
        assertArrayEquals(key.toECPublicKey().getEncoded(), der);
    }

    @Test
    void pinnedRead_opensslPem_equalsVectorJwk() throws Exception {
        for (String name : new String[] {"p256-random-nonce", "p384-random-nonce"}) {
            PinnedVerifierKey pinned = PinnedVerifierKey.read(VECTORS.resolve(name + ".pub.pem"));
            var jwk = new ObjectMapper().readTree(VECTORS.resolve(name + ".json").toFile()).get("jwk");
            assertEquals(ECKey.parse(jwk.toString()), pinned.publicKey());
        }
    }

    @Test
    void pinnedRead_privateJwk_refused() throws Exception {
        Path file = dir.resolve("verifier.jwk");
        VerifierKeys.writePrivateJwk(VerifierKeys.generate(), file);
        KeyMaterialException e = assertThrows(KeyMaterialException.class, () -> PinnedVerifierKey.read(file));
        assertTrue(e.getMessage().contains("(d)"), e.getMessage());
    }

    @Test
    void pinnedRead_privatePem_refusedNamingIt() throws Exception {
        Path file = dir.resolve("private.pem");
        Process openssl = new ProcessBuilder("openssl", "ecparam", "-name", "secp384r1", "-genkey", "-noout",
                "-out", file.toString()).redirectErrorStream(true).start();
        assertTrue(openssl.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, openssl.exitValue());
        KeyMaterialException e = assertThrows(KeyMaterialException.class, () -> PinnedVerifierKey.read(file));
        assertTrue(e.getMessage().contains("private key"), e.getMessage());
    }

    @Test
    void pinnedRead_badFiles_clearErrors() throws Exception {
        Path rsa = dir.resolve("rsa.jwk");
        Files.writeString(rsa, new RSAKeyGenerator(2048).generate().toPublicJWK().toJSONString());
        assertThrows(KeyMaterialException.class, () -> PinnedVerifierKey.read(rsa));
        Path p521 = dir.resolve("p521.jwk");
        Files.writeString(p521, EphemeralKeysTestSupport.p521Public().toJSONString());
        assertThrows(KeyMaterialException.class, () -> PinnedVerifierKey.read(p521));
        Path garbage = dir.resolve("garbage");
        Files.write(garbage, "not a key".getBytes(StandardCharsets.UTF_8));
        assertThrows(KeyMaterialException.class, () -> PinnedVerifierKey.read(garbage));
        Path big = dir.resolve("big");
        Files.write(big, new byte[PinnedVerifierKey.MAX_KEY_FILE_BYTES + 1]);
        assertThrows(KeyMaterialException.class, () -> PinnedVerifierKey.read(big));
        assertThrows(KeyMaterialException.class, () -> PinnedVerifierKey.read(dir.resolve("missing")));
    }

    /** A P-521 key, which neither side accepts. */
    static final class EphemeralKeysTestSupport {
        static ECKey p521Public() throws Exception {
            return new com.nimbusds.jose.jwk.gen.ECKeyGenerator(Curve.P_521).generate().toPublicJWK();
        }
    }
}
