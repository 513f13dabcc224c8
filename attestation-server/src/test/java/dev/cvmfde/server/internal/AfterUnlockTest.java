package dev.cvmfde.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.release.EphemeralKeys;
import dev.cvmfde.protocol.release.PinnedVerifierKey;
import dev.cvmfde.protocol.release.TestReleases;
import dev.cvmfde.protocol.release.VerifierKeys;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.EvidenceRequest;
import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.protocol.wire.WireCodec;
import dev.cvmfde.server.ConnectionLimits;
import dev.cvmfde.server.UnlockOutcome;
import dev.cvmfde.server.VerifierTrust;
import dev.cvmfde.server.provider.EvidenceProvider;
import dev.cvmfde.server.provider.RawEvidence;
import io.netty.channel.embedded.EmbeddedChannel;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Once a released key has opened the volume, the guest serves nothing more (issue 11, no shell ever). */
@Timeout(60)
class AfterUnlockTest {
    static final ECKey VERIFIER = VerifierKeys.generate();
    static final SecureRandom RANDOM = new SecureRandom();

    final AtomicInteger sinkCalls = new AtomicInteger();
    final AtomicInteger stops = new AtomicInteger();
    final AtomicInteger collects = new AtomicInteger();
    final ReleaseGate gate = new ReleaseGate(VerifierTrust.pinned(new PinnedVerifierKey(VERIFIER.toPublicJWK())), key -> {
        sinkCalls.incrementAndGet();
        return UnlockOutcome.unlocked("test volume opened");
    }, Clock.systemUTC(), stops::incrementAndGet);

    /** A valid release for a fresh session, opened by the gate. */
    ReleaseGate.Result release() throws Exception {
        ECKey ephemeral = EphemeralKeys.generate();
        byte[] nonce = EvidenceRequest.fresh(RANDOM).nonce();
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        try (SecretBytes secret = SecretBytes.takeOwnership(key)) {
            String jws = TestReleases.seal(secret, ephemeral.toPublicJWK(), nonce, VERIFIER);
            return gate.handle(jws, ephemeral, nonce, "test peer");
        }
    }

    @Test
    void handle_firstUnlock_stopsAcceptingOnceAndLaterReleasesNeverReachTheSink() throws Exception {
        assertFalse(gate.unlocked());

        assertInstanceOf(ReleaseGate.Result.Unlocked.class, release());
        assertTrue(gate.unlocked());
        assertEquals(1, stops.get(), "the listener is told to stop as soon as the key opened the volume");

        assertInstanceOf(ReleaseGate.Result.AlreadyUnlocked.class, release());
        assertEquals(1, sinkCalls.get(), "a later release never reaches the sink");
        assertEquals(1, stops.get());
    }

    @Test
    void evidenceRequest_afterUnlock_connectionClosedWithoutCollecting() throws Exception {
        assertInstanceOf(ReleaseGate.Result.Unlocked.class, release());
        EmbeddedChannel channel = new EmbeddedChannel();
        WireCodec codec = WireCodec.install(channel.pipeline(), Expect.GUEST_AWAITING_REQUEST);
        channel.pipeline().addLast(new SessionHandler(codec, context()));
        channel.pipeline().fireChannelActive();

        channel.writeInbound(EvidenceRequest.fresh(RANDOM));
        channel.runPendingTasks();

        assertFalse(channel.isOpen(), "a session still open after the unlock is closed on its request");
        assertNull(channel.readOutbound(), "no evidence was sent");
        assertEquals(0, collects.get(), "the TEE was never asked");
    }

    private SessionContext context() {
        EvidenceProvider provider = new EvidenceProvider() {
            @Override
            public String name() {
                return "counting";
            }

            @Override
            public RawEvidence collect(byte[] challenge) {
                collects.incrementAndGet();
                return new RawEvidence("counting", new byte[] {1}, Optional.empty(), List.of());
            }
        };
        return new SessionContext(provider, Runnable::run, gate, Runnable::run, new SourceLimiter<>(ConnectionLimits.defaults(), System.nanoTime()),
                Duration.ofSeconds(30), Duration.ofSeconds(60), (detail, peer) -> { });
    }
}
