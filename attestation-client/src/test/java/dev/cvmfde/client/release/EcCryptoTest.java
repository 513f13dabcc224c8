package dev.cvmfde.client.release;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.crypto.EcCrypto;
import dev.cvmfde.protocol.release.EphemeralKeys;
import dev.cvmfde.protocol.release.PinnedVerifierKey;
import dev.cvmfde.protocol.release.ReleaseOpener;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.protocol.secret.SecretBytes;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** On the host (Bouncy Castle on the class path) the release's EC work runs on Bouncy Castle keys. */
class EcCryptoTest {
    @Test
    void provider_hostClassPath_isBouncyCastle() {
        assertEquals("BC", EcCrypto.providerName());
    }

    @Test
    void convertedKeys_jdkKeys_sameKeyAsBouncyCastleKeys() throws Exception {
        ECKey jwk = VerifierKeys.generate();
        ECPublicKey pub = EcCrypto.publicKey(jwk.toECPublicKey());
        ECPrivateKey priv = EcCrypto.privateKey(jwk.toECPrivateKey());
        assertTrue(pub.getClass().getName().startsWith("org.bouncycastle."), pub.getClass().getName());
        assertTrue(priv.getClass().getName().startsWith("org.bouncycastle."), priv.getClass().getName());
        assertArrayEquals(jwk.toECPublicKey().getEncoded(), pub.getEncoded());
        assertEquals(jwk.toECPrivateKey().getS(), priv.getS());
    }

    @Test
    void sealAndOpen_bouncyCastleOnBothSides_returnsTheKey() throws Exception {
        byte[] nonce = new byte[64];
        new SecureRandom().nextBytes(nonce);
        ECKey verifier = VerifierKeys.generate();
        ECKey ephemeral = EphemeralKeys.generate();
        try (SecretBytes key = SecretBytes.copyOf(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
             SecretBytes opened = ReleaseOpener.open(
                     ReleaseEnvelope.seal(key, ephemeral.toPublicJWK(), nonce, ReleaseEnvelope.signer(verifier),
                             Clock.systemUTC(), KeyRelease.DEFAULT_LIFETIME),
                     new PinnedVerifierKey(verifier.toPublicJWK()), ephemeral, nonce, Clock.systemUTC())) {
            assertTrue(opened.sameAs(key));
        }
    }
}
