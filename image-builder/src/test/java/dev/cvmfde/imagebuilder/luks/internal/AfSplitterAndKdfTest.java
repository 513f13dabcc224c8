package dev.cvmfde.imagebuilder.luks.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.imagebuilder.luks.HashAlgorithm;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AfSplitterAndKdfTest {

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void split_thenMerge_givesKeyBack(HashAlgorithm hash) {
        byte[] key = new byte[64];
        new SecureRandom().nextBytes(key);
        byte[] split = AfSplitter.split(key, 4000, hash, new SecureRandom());
        assertArrayEquals(key, AfSplitter.merge(split, 64, 4000, hash));
        split[12345] ^= 1;
        assertFalse(Arrays.equals(key, AfSplitter.merge(split, 64, 4000, hash)));
    }

    /** RFC 7914 §11 PBKDF2-HMAC-SHA256 vector ("passwd", "salt", c = 1, 64 bytes). */
    @Test
    void pbkdf2_rfc7914Vector_matches() {
        byte[] dk = KeyDerivation.pbkdf2(HashAlgorithm.SHA256, "passwd".getBytes(), "salt".getBytes(), 1, 64);
        assertArrayEquals(HexFormat.of().parseHex("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"), dk);
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void pbkdf2_asciiPassword_matchesJdkPbkdf2(HashAlgorithm hash) throws Exception {
        byte[] salt = new byte[32];
        new SecureRandom().nextBytes(salt);
        byte[] ours = KeyDerivation.pbkdf2(hash, "correct horse".getBytes(), salt, 1000, 100);
        byte[] jdk = SecretKeyFactory.getInstance("PBKDF2With" + hash.jcaHmac())
                .generateSecret(new PBEKeySpec("correct horse".toCharArray(), salt, 1000, 800)).getEncoded();
        assertArrayEquals(jdk, ours);
    }

    @Test
    void volumeKeyDigest_otherKey_doesNotMatch() {
        byte[] key = new byte[64];
        new SecureRandom().nextBytes(key);
        VolumeKeyDigest d = VolumeKeyDigest.compute(HashAlgorithm.SHA256, key, 32, new SecureRandom());
        assertTrue(d.matches(key));
        key[0] ^= 1;
        assertFalse(d.matches(key));
    }
}
