package dev.cvmfde.protocol.wire;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.release.EphemeralKeys;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;

/** One valid instance of each message, with random content, for round-trip tests. */
final class SampleMessages {
    private static final SecureRandom RANDOM = new SecureRandom();

    private SampleMessages() {
    }

    static byte[] random(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    static ECKey ephemeralPublic() {
        return EphemeralKeys.generate(Curve.P_384).toPublicJWK();
    }

    static List<Message> all() {
        return List.of(
                EvidenceRequest.fresh(RANDOM),
                new Evidence(random(1200), Optional.of(random(30_000)), List.of(random(600), random(700)),
                        ephemeralPublic(), "simulated"),
                new Evidence(random(900), EphemeralKeys.generate(Curve.P_256).toPublicJWK(), "tsm"),
                new Release("eyJhbGciOiJFUzM4NCJ9.eyJub25jZSI6IngifQ.c2lnbmF0dXJl"),
                new Refusal(List.of("freshness", "rim", "boot-components")),
                new Ack(true, "encroot opened"),
                new Ack(false, ""),
                new CredentialChallenge(random(68), random(256)),
                new CredentialResponse(random(32)));
    }
}
