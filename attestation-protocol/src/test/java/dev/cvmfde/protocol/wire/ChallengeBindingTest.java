package dev.cvmfde.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.release.EphemeralKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ChallengeBindingTest {
    static final Path VECTORS = Path.of("src/test/resources/vectors/binding");
    private static final HexFormat HEX = HexFormat.of();

    static List<Path> vectors() throws IOException {
        try (Stream<Path> files = Files.list(VECTORS)) {
            List<Path> list = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
            assertEquals(3, list.size(), "binding vectors missing");
            return list;
        }
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void challenge_opensslVector_matches(Path file) throws Exception {
        JsonNode vector = new ObjectMapper().readTree(file.toFile());
        ECKey key = ECKey.parse(vector.get("jwk").toString());
        byte[] nonce = HEX.parseHex(vector.get("nonceHex").textValue());
        assertArrayEquals(HEX.parseHex(vector.get("thumbprintHex").textValue()), ChallengeBinding.thumbprint(key));
        byte[] expected = HEX.parseHex(vector.get("challengeHex").textValue());
        assertArrayEquals(expected, ChallengeBinding.challenge(nonce, key));
        assertTrue(ChallengeBinding.matches(expected, nonce, key));
    }

    @Test
    void challenge_privateOrPublicKey_sameChallenge() {
        ECKey key = EphemeralKeys.generate();
        byte[] nonce = SampleMessages.random(64);
        byte[] challenge = ChallengeBinding.challenge(nonce, key);
        assertEquals(ChallengeBinding.CHALLENGE_BYTES, challenge.length);
        assertArrayEquals(challenge, ChallengeBinding.challenge(nonce, key.toPublicJWK()));
    }

    @Test
    void matches_otherKeyOrNonce_false() {
        ECKey key = EphemeralKeys.generate();
        byte[] nonce = SampleMessages.random(64);
        byte[] challenge = ChallengeBinding.challenge(nonce, key);
        assertFalse(ChallengeBinding.matches(challenge, nonce, EphemeralKeys.generate()));
        nonce[0] ^= 1;
        assertFalse(ChallengeBinding.matches(challenge, nonce, key));
        assertFalse(ChallengeBinding.matches(null, nonce, key));
    }

    @Test
    void challenge_nonceNot64Bytes_refused() {
        assertThrows(IllegalArgumentException.class,
                () -> ChallengeBinding.challenge(new byte[32], EphemeralKeys.generate()));
    }
}
