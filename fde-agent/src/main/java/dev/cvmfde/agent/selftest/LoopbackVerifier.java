package dev.cvmfde.agent.selftest;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.release.ReleaseSealer;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.token.CcaTokenDecoder;
import dev.cvmfde.protocol.token.TokenDecodeException;
import dev.cvmfde.protocol.wire.Ack;
import dev.cvmfde.protocol.wire.ChallengeBinding;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.EvidenceRequest;
import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.protocol.wire.FrameReader;
import dev.cvmfde.protocol.wire.FrameWriter;
import dev.cvmfde.protocol.wire.WireException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;

/**
 * A minimal host side of one exchange, from the protocol primitives: request evidence, check
 * that the realm token's challenge binds this session's nonce and the guest's ephemeral key,
 * seal the key to that key, read the ack. It does not appraise the token (no trust anchor, no
 * reference values): it exists for the agent's self-test (the AOT training run) and its tests.
 */
public final class LoopbackVerifier {
    /** Socket timeout for every read. */
    public static final int SO_TIMEOUT_MILLIS = 20_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private LoopbackVerifier() {
    }

    /** One full exchange with the agent at {@code agent}; the ack says whether the key opened the volume. */
    public static Ack release(InetSocketAddress agent, SecretBytes key, ECKey signingKey)
            throws IOException, WireException, TokenDecodeException {
        try (Socket socket = new Socket()) {
            socket.connect(agent, SO_TIMEOUT_MILLIS);
            socket.setSoTimeout(SO_TIMEOUT_MILLIS);
            FrameReader reader = new FrameReader(socket.getInputStream());
            FrameWriter writer = new FrameWriter(socket.getOutputStream());
            EvidenceRequest request = EvidenceRequest.fresh(RANDOM);
            writer.write(request);
            Evidence evidence = (Evidence) reader.read(Expect.HOST_AWAITING_EVIDENCE);
            byte[] challenge = CcaTokenDecoder.decode(evidence.token()).realm().unverifiedClaims().challenge();
            if (!ChallengeBinding.matches(challenge, request.nonce(), evidence.ephemeralKey())) {
                throw new IOException("binding: the realm challenge does not bind this session's nonce and ephemeral key");
            }
            writer.write(new dev.cvmfde.protocol.wire.Release(
                    ReleaseSealer.seal(key, evidence.ephemeralKey(), request.nonce(), signingKey)));
            return (Ack) reader.read(Expect.HOST_AWAITING_ACK);
        }
    }
}
