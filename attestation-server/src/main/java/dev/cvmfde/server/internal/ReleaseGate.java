package dev.cvmfde.server.internal;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.release.ReleaseCheck;
import dev.cvmfde.protocol.release.ReleaseOpener;
import dev.cvmfde.protocol.release.ReleaseRejectedException;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.Ack;
import dev.cvmfde.server.KeySink;
import dev.cvmfde.server.UnlockOutcome;
import dev.cvmfde.server.VerifierTrust;
import java.lang.System.Logger.Level;
import java.time.Clock;

/**
 * Opens a release for one session and, if every check passes, hands the key to the sink; the
 * key is zeroized when the sink returns. Sink calls are serialized, and once one has unlocked,
 * the server stops accepting connections ({@code onFirstUnlock}, run before the ack is sent),
 * sessions still open get no evidence ({@link #unlocked()}) and later releases are answered
 * without touching the sink. Runs off the network threads.
 */
public final class ReleaseGate {
    private static final System.Logger LOG = ServerLog.LOGGER;

    /** What became of one release; each maps to the ack the verifier gets. */
    public sealed interface Result {
        Ack ack();

        record Unlocked(String detail) implements Result {
            public Ack ack() {
                return Ack.truncating(true, detail);
            }
        }

        record SinkFailed(String detail) implements Result {
            public Ack ack() {
                return Ack.truncating(false, "unlock failed: " + detail);
            }
        }

        record Rejected(ReleaseCheck check, String message) implements Result {
            public Ack ack() {
                return Ack.truncating(false, "release refused: " + message);
            }
        }

        record AlreadyUnlocked() implements Result {
            public Ack ack() {
                return Ack.truncating(false, "already unlocked by an earlier release; this key was not used");
            }
        }
    }

    private final VerifierTrust trust;
    private final KeySink sink;
    private final Clock clock;
    private final Runnable onFirstUnlock;
    private volatile boolean unlocked;

    public ReleaseGate(VerifierTrust trust, KeySink sink, Clock clock, Runnable onFirstUnlock) {
        this.trust = trust;
        this.sink = sink;
        this.clock = clock;
        this.onFirstUnlock = onFirstUnlock;
    }

    /** Whether a released key has opened the volume: from then on this guest serves nothing. */
    public boolean unlocked() {
        return unlocked;
    }

    /** Never throws: every failure becomes a {@link Result} and one log line without key bytes. */
    public Result handle(String jws, ECKey ephemeralPrivate, byte[] nonce, String peer) {
        SecretBytes key;
        try {
            key = open(jws, ephemeralPrivate, nonce);
        } catch (ReleaseRejectedException e) {
            LOG.log(Level.WARNING, "{0}: release refused ({1}): {2}", peer, e.check(), e.getMessage());
            return new Result.Rejected(e.check(), e.getMessage());
        }
        try (key) {
            return deliver(key, peer);
        }
    }

    private SecretBytes open(String jws, ECKey ephemeralPrivate, byte[] nonce) throws ReleaseRejectedException {
        return switch (trust) {
            case VerifierTrust.Pinned pinned -> ReleaseOpener.open(jws, pinned.key(), ephemeralPrivate, nonce, clock);
            case VerifierTrust.InsecureAnyVerifier any -> InsecureReleaseOpener.open(jws, ephemeralPrivate, nonce, clock);
        };
    }

    private synchronized Result deliver(SecretBytes key, String peer) {
        if (unlocked) {
            LOG.log(Level.WARNING, "{0}: valid release after the unlock; key not used", peer);
            return new Result.AlreadyUnlocked();
        }
        LOG.log(Level.INFO, "{0}: release accepted ({1} key bytes); handing the key to the sink", peer, key.length());
        UnlockOutcome outcome;
        try {
            outcome = sink.accept(key);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "{0}: key sink failed: {1}: {2}", peer, e.getClass().getSimpleName(), e.getMessage());
            return new Result.SinkFailed("the key sink failed (" + e.getClass().getSimpleName() + ")");
        }
        return switch (outcome) {
            case UnlockOutcome.Unlocked ok -> {
                unlocked = true;
                LOG.log(Level.INFO, "{0}: unlocked: {1}", peer, ok.detail());
                onFirstUnlock.run();
                yield new Result.Unlocked(ok.detail());
            }
            case UnlockOutcome.Failed failed -> {
                LOG.log(Level.WARNING, "{0}: unlock failed, still waiting for a release: {1}", peer, failed.detail());
                yield new Result.SinkFailed(failed.detail());
            }
            case null -> {
                LOG.log(Level.WARNING, "{0}: key sink returned no outcome; counted as failed", peer);
                yield new Result.SinkFailed("the key sink returned no outcome");
            }
        };
    }
}
