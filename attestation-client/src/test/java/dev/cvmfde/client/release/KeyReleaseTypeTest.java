package dev.cvmfde.client.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.client.verify.Affirming;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sealing a release needs an {@link Affirming} by type: the only public sealing entry point is
 * {@link KeyRelease}, each of its seal methods takes an {@code Affirming} (whose constructor only the
 * verifier can call), the engine behind it is package-private, and attestation-protocol (which
 * both ends share) has no sealer at all.
 */
@Timeout(30)
class KeyReleaseTypeTest {

    @Test
    void keyRelease_everyPublicSealMethod_takesAnAffirmingFirst() {
        List<Method> seals = Arrays.stream(KeyRelease.class.getMethods()).filter(m -> m.getName().equals("seal")).toList();
        assertFalse(seals.isEmpty());
        for (Method seal : seals) {
            assertEquals(Affirming.class, seal.getParameterTypes()[0], seal.toString());
        }
    }

    @Test
    void affirming_hasNoPublicConstructor() {
        assertEquals(0, Affirming.class.getConstructors().length, "only the verifier can make an Affirming");
    }

    @Test
    void sealingEngine_notPublic() {
        assertFalse(Modifier.isPublic(ReleaseEnvelope.class.getModifiers()));
    }

    @Test
    void protocol_hasNoSealer() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("dev.cvmfde.protocol.release.ReleaseSealer"));
        assertTrue(Arrays.stream(dev.cvmfde.protocol.release.ReleaseFormat.class.getMethods())
                .noneMatch(m -> m.getName().startsWith("seal")));
    }
}
