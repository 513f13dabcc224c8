package dev.cvmfde.client.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cvmfde.protocol.secret.SecretBytes;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root key in a PKCS#11 token: real SoftHSM2 tokens made by the test, their AES keys generated
 * inside the token (never extractable), wrap and unwrap through the JDK's SunPKCS11 provider.
 * Removing the token under a running store makes releases fail closed with a clear error.
 *
 * <p>Both tokens are made before anything in this JVM loads SoftHSM2: it lists its slots once,
 * at {@code C_Initialize}, so a token created afterwards by another process is not seen (a token
 * removed afterwards is). Every PKCS#11 test of this module is therefore in this class.
 */
class Pkcs11RootKeyTest {
    static Path tokenDir;
    static SoftHsmToken token;
    static SoftHsmToken pulled;

    @TempDir
    Path tmp;
    StoreFixture fx;

    @BeforeAll
    static void makeTokens() throws Exception {
        assumeTrue(SoftHsmToken.available(), "softhsm2 and opensc are installed by .ci/run; SOFTHSM2_CONF by the pom");
        tokenDir = Files.createTempDirectory("cvmfde-p11-");
        String run = Long.toHexString(System.nanoTime());
        token = SoftHsmToken.create(tokenDir, "cvmfde-" + run);
        pulled = SoftHsmToken.create(tokenDir, "cvmfde-pulled-" + run);
    }

    @AfterAll
    static void dropTokens() throws Exception {
        for (SoftHsmToken t : new SoftHsmToken[] {token, pulled}) {
            if (t != null) {
                t.close();
            }
        }
        if (tokenDir != null) {
            try (Stream<Path> files = Files.walk(tokenDir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @BeforeEach
    void fixture() throws Exception {
        fx = new StoreFixture();
    }

    /** {@code token}'s spec with a copy of its PIN file holding {@code pin}, mode {@code mode}. */
    String withPin(String pin, String mode) throws Exception {
        Path f = Files.writeString(tmp.resolve("pin"), pin + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return token.spec().replace("pin-file=" + token.pinFile, "pin-file=" + f);
    }

    @Test
    void addAndRelease_rootKeyInToken_keyRoundTripsAndNeverInTheStore() throws Exception {
        byte[] key = StoreFixture.randomKey();
        String spec = "dir:" + tmp.resolve("store");
        try (RootKey root = RootKeys.open(token.spec()); ImageStore store = ImageStores.create(spec, root)) {
            assertTrue(root.describe().startsWith("pkcs11:"), root.describe());
            store.add(ImageStoreContract.WEB, fx.baseline("kernel-1"), SecretBytes.copyOf(key));
            try (SecretBytes back = store.unwrapKey(ImageStoreContract.WEB)) {
                assertArrayEquals(key, back.copy());
            }
            assertEquals("sealed", store.release(ImageStoreContract.WEB,
                    ImageStoreContract.event(ImageStoreContract.WEB, Verdict.RELEASED), k -> "sealed"));
        }
        // a second process (here: a new provider instance) opens the same store with the same token key
        try (RootKey root = RootKeys.open(token.spec()); ImageStore store = ImageStores.open(spec, root);
             SecretBytes back = store.unwrapKey(ImageStoreContract.WEB)) {
            assertArrayEquals(key, back.copy());
        }
        byte[] raw = allBytes(tmp.resolve("store"));
        for (byte[] form : StoreFixture.leakForms(key)) {
            assertFalse(StoreFixture.contains(raw, form), "the store holds the key in some form");
        }
    }

    @Test
    void tokenRemoved_underARunningStore_releaseFailsClosedNamingTheToken() throws Exception {
        String spec = "dir:" + tmp.resolve("store");
        try (RootKey root = RootKeys.open(pulled.spec()); ImageStore store = ImageStores.create(spec, root)) {
            store.add(ImageStoreContract.WEB, fx.baseline("kernel-1"), SecretBytes.copyOf(StoreFixture.randomKey()));
            assertEquals("sealed", store.release(ImageStoreContract.WEB,
                    ImageStoreContract.event(ImageStoreContract.WEB, Verdict.RELEASED), k -> "sealed"));

            pulled.remove();

            boolean[] sealerCalled = {false};
            RootKeyUnavailableException e = assertThrows(RootKeyUnavailableException.class,
                    () -> store.release(ImageStoreContract.WEB, ImageStoreContract.event(ImageStoreContract.WEB, Verdict.RELEASED),
                            k -> {
                                sealerCalled[0] = true;
                                return "sealed";
                            }));
            assertFalse(sealerCalled[0], "no key reached the sealer");
            assertTrue(e.getMessage().contains("pkcs11:") && e.getMessage().contains("could not unwrap")
                    && e.getMessage().contains("token or its key is not available"), e.getMessage());
            // what a broker does next: record the refusal; the trail has the release and the refusal, nothing else
            store.audit().append(ImageStoreContract.event(ImageStoreContract.WEB, Verdict.REFUSED, "store/root-key"));
            AuditVerification.Intact v = assertInstanceOf(AuditVerification.Intact.class, store.audit().verify());
            assertEquals(2, v.verifiedRecords());
            assertEquals(List.of(Verdict.RELEASED, Verdict.REFUSED),
                    store.audit().tail(5).stream().map(r -> r.event().verdict()).toList());
        }
        // and a broker starting without the token refuses to start with a clear error
        RootKeyUnavailableException e = assertThrows(RootKeyUnavailableException.class, () -> RootKeys.open(pulled.spec()));
        assertTrue(e.getMessage().contains("token is not available"), e.getMessage());
    }

    @Test
    void wrongPin_refusedAtOpen() throws Exception {
        String spec = withPin("not-the-pin", "rw-------");
        RootKeyUnavailableException e = assertThrows(RootKeyUnavailableException.class, () -> RootKeys.open(spec));
        assertTrue(e.getMessage().contains("cannot log in"), e.getMessage());
    }

    @Test
    void pinFileReadableByOthers_refused() throws Exception {
        String spec = withPin(token.pin, "rw-r--r--");
        RootKeyUnavailableException e = assertThrows(RootKeyUnavailableException.class, () -> RootKeys.open(spec));
        assertTrue(e.getMessage().contains("0644"), e.getMessage());
    }

    @Test
    void unknownAlias_refusedAtOpen() throws Exception {
        String spec = token.spec().replace("alias=" + SoftHsmToken.KEY_ALIAS, "alias=nope");
        RootKeyUnavailableException e = assertThrows(RootKeyUnavailableException.class, () -> RootKeys.open(spec));
        assertTrue(e.getMessage().contains("no AES secret key"), e.getMessage());
    }

    @Test
    void storeWrittenUnderTheFileKey_tokenKeyRefusedAtOpen() throws Exception {
        String spec = "dir:" + tmp.resolve("store");
        try (RootKey file = RootKeys.open(StoreFixture.rootKeyFile(tmp, "root.key").toString());
             ImageStore store = ImageStores.create(spec, file)) {
            store.add(ImageStoreContract.WEB, fx.baseline("kernel-1"), SecretBytes.copyOf(StoreFixture.randomKey()));
        }
        try (RootKey root = RootKeys.open(token.spec())) {
            assertThrows(RootKeyUnavailableException.class, () -> ImageStores.open(spec, root));
        }
    }

    @Test
    void cli_imageAddWithTokenRootKey_keyUnwrapsThroughTheToken() throws Exception {
        byte[] key = StoreFixture.randomKey();
        Path keyFile = StoreFixture.writeKeyFile(tmp, "web-01.key", key);
        String spec = "dir:" + tmp.resolve("store");
        dev.cvmfde.client.release.CliRun r = dev.cvmfde.client.release.CliRun.of("image", "add", "--store", spec,
                "--root-key", token.spec(), "--id", "web-01", "--baseline",
                fx.writeBaseline(tmp, "hash.json", "kernel-1").toString(), "--baseline-signer",
                fx.writeSigner(tmp).toString(), "--key-file", keyFile.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("key wrapped by pkcs11:"), r.out());
        try (RootKey root = RootKeys.open(token.spec()); ImageStore store = ImageStores.open(spec, root);
             SecretBytes back = store.unwrapKey(ImageStoreContract.WEB)) {
            assertArrayEquals(key, back.copy());
        }
    }

    static byte[] allBytes(Path dir) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                all.write(Files.readAllBytes(f));
            }
        }
        return all.toByteArray();
    }
}
