package dev.cvmfde.client.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.client.verify.Affirming;
import dev.cvmfde.protocol.release.ReleaseFormat;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.testing.ExportedApi;
import dev.cvmfde.server.AttestationServer;
import java.lang.reflect.Executable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Release without verify cannot be written against the public API: every public method or
 * constructor of an exported (non-{@code internal}) package of attestation-client,
 * attestation-protocol and attestation-server that takes a key ({@link SecretBytes}) together
 * with an EC key (the verifier's signing key or a signer made from it) also takes an
 * {@link Affirming}, which only the verifier can make. (fde-agent has the same test for the
 * guest side: {@code dev.cvmfde.agent.selftest.SealingApiTest}.)
 */
@Timeout(60)
class SealingApiTest {

    @Test
    void exportedPackages_everyMethodTakingAKeyAndASigningKey_takesAnAffirming() throws Exception {
        List<String> offending = new ArrayList<>();
        int sealers = 0;
        for (Class<?> anchor : List.of(KeyRelease.class, AttestationServer.class, ReleaseFormat.class)) {
            for (Executable m : ExportedApi.publicMembers(anchor)) {
                List<Class<?>> params = Arrays.asList(m.getParameterTypes());
                boolean seals = params.contains(SecretBytes.class)
                        && params.stream().anyMatch(p -> p == ECKey.class || p.getSimpleName().endsWith("Signer"));
                if (seals) {
                    sealers++;
                    if (!params.contains(Affirming.class)) {
                        offending.add(m.toString());
                    }
                }
            }
        }
        assertEquals(List.of(), offending, "public ways to seal a key without an Affirming");
        assertFalse(sealers == 0, "the scan found no sealer at all (KeyRelease.seal should be one): it scans nothing");
    }
}
