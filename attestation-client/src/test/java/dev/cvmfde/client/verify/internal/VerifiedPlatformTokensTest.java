package dev.cvmfde.client.verify.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.protocol.cose.CoseAlgorithm;
import dev.cvmfde.protocol.cose.CoseSign1;
import dev.cvmfde.protocol.cose.CoseVerification;
import dev.cvmfde.protocol.cose.SignatureEncoding;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;

/** The bounded memory of verified platform tokens, on its own (fresh instances, test keys made per run). */
class VerifiedPlatformTokensTest {

    private static KeyPair p384() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        return g.generateKeyPair();
    }

    private static CoseSign1 signed(KeyPair k, byte[] payload) throws Exception {
        return CoseSign1.sign(CoseAlgorithm.ES384, k, payload, SignatureEncoding.RAW);
    }

    private static CoseSign1 flipped(CoseSign1 token, int fromEnd) throws Exception {
        byte[] b = token.encoded();
        b[b.length - fromEnd] ^= 0x01;
        return CoseSign1.decode(b);
    }

    @Test
    void verify_sameBytesSameKey_secondIsHit() throws Exception {
        KeyPair cpak = p384();
        CoseSign1 t = signed(cpak, new byte[] {1, 2, 3});
        VerifiedPlatformTokens m = new VerifiedPlatformTokens(4);

        VerifiedPlatformTokens.Result first = m.verify(t, cpak.getPublic());
        VerifiedPlatformTokens.Result second = m.verify(CoseSign1.decode(t.encoded()), cpak.getPublic());

        assertFalse(first.cached());
        assertInstanceOf(CoseVerification.Valid.class, first.verification());
        assertTrue(second.cached());
        assertEquals(first.verification(), second.verification());
    }

    @Test
    void verify_validTokenDifferingInOnePayloadByte_misses() throws Exception {
        KeyPair cpak = p384();
        VerifiedPlatformTokens m = new VerifiedPlatformTokens(4);
        m.verify(signed(cpak, new byte[] {1, 2, 3}), cpak.getPublic());

        VerifiedPlatformTokens.Result r = m.verify(signed(cpak, new byte[] {1, 2, 4}), cpak.getPublic());

        assertFalse(r.cached());
        assertInstanceOf(CoseVerification.Valid.class, r.verification());
        assertEquals(2, m.size());
    }

    @Test
    void verify_rememberedTokenWithOneSignatureByteFlipped_missesAndIsInvalidAndNotRemembered() throws Exception {
        KeyPair cpak = p384();
        CoseSign1 t = signed(cpak, new byte[] {1, 2, 3});
        VerifiedPlatformTokens m = new VerifiedPlatformTokens(4);
        m.verify(t, cpak.getPublic());
        CoseSign1 bad = flipped(t, 1);

        VerifiedPlatformTokens.Result r = m.verify(bad, cpak.getPublic());
        VerifiedPlatformTokens.Result again = m.verify(bad, cpak.getPublic());

        assertFalse(r.cached());
        assertInstanceOf(CoseVerification.Invalid.class, r.verification());
        assertFalse(again.cached());
        assertInstanceOf(CoseVerification.Invalid.class, again.verification());
        assertEquals(1, m.size());
    }

    @Test
    void verify_rememberedTokenUnderDifferentAnchor_missesAndIsInvalid() throws Exception {
        KeyPair cpak = p384();
        PublicKey other = p384().getPublic();
        CoseSign1 t = signed(cpak, new byte[] {1, 2, 3});
        VerifiedPlatformTokens m = new VerifiedPlatformTokens(4);
        m.verify(t, cpak.getPublic());

        VerifiedPlatformTokens.Result r = m.verify(t, other);

        assertFalse(r.cached());
        assertInstanceOf(CoseVerification.Invalid.class, r.verification());
    }

    @Test
    void verify_moreTokensThanCapacity_boundedAndLeastRecentlyUsedEvicted() throws Exception {
        KeyPair cpak = p384();
        VerifiedPlatformTokens m = new VerifiedPlatformTokens(3);
        CoseSign1[] ts = new CoseSign1[5];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = signed(cpak, new byte[] {(byte) i});
            m.verify(ts[i], cpak.getPublic());
        }

        assertEquals(3, m.size());
        assertTrue(m.verify(ts[4], cpak.getPublic()).cached());
        assertFalse(m.verify(ts[0], cpak.getPublic()).cached()); // evicted; re-verified and remembered
        assertEquals(3, m.size());
    }

    @Test
    void shared_capacity_isTheNamedLimit() {
        assertEquals(1024, VerifiedPlatformTokens.MAX_ENTRIES);
        assertEquals(VerifiedPlatformTokens.MAX_ENTRIES, VerifiedPlatformTokens.SHARED.capacity());
    }

    @Test
    void constructor_zeroCapacity_refused() {
        assertThrows(IllegalArgumentException.class, () -> new VerifiedPlatformTokens(0));
    }

    @Test
    void forVerification_sameEncoding_sameParsedKey() throws Exception {
        PublicKey k = p384().getPublic();
        PublicKey a = EcdsaProvider.forVerification(k);
        PublicKey b = EcdsaProvider.forVerification(java.security.KeyFactory.getInstance("EC")
                .generatePublic(new java.security.spec.X509EncodedKeySpec(k.getEncoded())));

        assertSame(a, b);
        assertEquals("BC", EcdsaProvider.INSTANCE.getName());
        assertTrue(a.getClass().getName().startsWith("org.bouncycastle."), a.getClass().getName());
    }

    @Test
    void forVerification_moreKeysThanLimit_cacheBounded() throws Exception {
        for (int i = 0; i < EcdsaProvider.MAX_CACHED_KEYS + 8; i++) {
            EcdsaProvider.forVerification(p384().getPublic());
        }

        assertEquals(EcdsaProvider.MAX_CACHED_KEYS, EcdsaProvider.cachedKeys());
    }
}
