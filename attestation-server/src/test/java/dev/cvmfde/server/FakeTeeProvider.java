package dev.cvmfde.server;

import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceProvider;
import dev.cvmfde.server.provider.RawEvidence;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A fake at the TEE edge: its "token" is a fixed prefix followed by the challenge it was given,
 * so a test can check the challenge binding the server computed. Not a simulated CCA token.
 */
public final class FakeTeeProvider implements EvidenceProvider {
    public static final byte[] PREFIX = "fake-tee-token:".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public RawEvidence collect(byte[] challenge) throws EvidenceException {
        byte[] copy = EvidenceProvider.requireChallenge(name(), challenge);
        byte[] token = Arrays.copyOf(PREFIX, PREFIX.length + copy.length);
        System.arraycopy(copy, 0, token, PREFIX.length, copy.length);
        return new RawEvidence("fake:test", token, Optional.of(new byte[] {1, 2, 3}), List.of());
    }

    /** The challenge inside a token this provider made. */
    public static byte[] challengeIn(byte[] token) {
        return Arrays.copyOfRange(token, PREFIX.length, token.length);
    }
}
