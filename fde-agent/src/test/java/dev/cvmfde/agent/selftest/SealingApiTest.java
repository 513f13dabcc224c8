package dev.cvmfde.agent.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.release.ReleaseFormat;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.testing.ExportedApi;
import dev.cvmfde.server.AttestationServer;
import java.lang.reflect.Executable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The guest side cannot seal a real release: no public method of an exported (non-{@code internal})
 * package of fde-agent, attestation-server or attestation-protocol takes a key ({@link SecretBytes})
 * together with an EC key (a signing key) — the only sealer that takes both is attestation-client's
 * {@code KeyRelease}, which also takes an {@code Affirming}. The self-test's {@link LoopbackVerifier}
 * seals only with its own throwaway key, never exposes the private half, and talks only to loopback.
 */
@Timeout(60)
class SealingApiTest {

    @Test
    void exportedPackages_noPublicMethodTakesAKeyAndASigningKey() throws Exception {
        List<String> offending = new ArrayList<>();
        for (Class<?> anchor : List.of(LoopbackVerifier.class, AttestationServer.class, ReleaseFormat.class)) {
            for (Executable m : ExportedApi.publicMembers(anchor)) {
                List<Class<?>> params = Arrays.asList(m.getParameterTypes());
                if (params.contains(SecretBytes.class) && params.contains(ECKey.class)) {
                    offending.add(m.toString());
                }
            }
        }
        assertEquals(List.of(), offending, "public ways to seal a key without an Affirming");
    }

    @Test
    void loopbackVerifier_publicKey_hasNoPrivatePart() {
        assertFalse(LoopbackVerifier.withThrowawayKey().publicKey().isPrivate());
    }

    @Test
    void loopbackVerifier_nonLoopbackAddress_refusedBeforeConnecting() throws Exception {
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1}), 7220);
        try (SecretBytes key = SecretBytes.copyOf(new byte[32])) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LoopbackVerifier.withThrowawayKey().release(remote, key));
            assertTrue(e.getMessage().contains("loopback"), e.getMessage());
        }
    }

    @Test
    void loopbackVerifier_eachInstance_ownKey() {
        assertFalse(LoopbackVerifier.withThrowawayKey().publicKey()
                .equals(LoopbackVerifier.withThrowawayKey().publicKey()));
    }
}
