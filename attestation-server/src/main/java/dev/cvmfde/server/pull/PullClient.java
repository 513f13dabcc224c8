package dev.cvmfde.server.pull;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.release.EphemeralKeys;
import dev.cvmfde.protocol.wire.ChallengeBinding;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.EvidenceRequest;
import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.protocol.wire.Message;
import dev.cvmfde.protocol.wire.MessageJson;
import dev.cvmfde.protocol.wire.Refusal;
import dev.cvmfde.protocol.wire.Release;
import dev.cvmfde.protocol.wire.WireException;
import dev.cvmfde.server.internal.EvidenceMessages;
import dev.cvmfde.server.internal.ReleaseGate;
import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.pull.internal.BrokerConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The guest side of pull mode: asks the broker for a nonce for this image ({@code POST
 * /v1/challenge}), makes a fresh ephemeral key, has the TEE bind {@code SHA-512(nonce ‖
 * thumbprint)} into evidence, posts it ({@code POST /v1/release}) and opens the answer exactly as
 * the push-mode server does (pinned verifier signature, nonce, key binding, expiry: {@code
 * ReleaseOpener}); the key goes to the {@link KeySink}. Both requests use one kept-alive
 * connection: at network-up the fetch costs one exchange. A failed attempt (no broker yet, busy,
 * refused, a release that does not open, a key that does not unlock) is retried with exponential
 * backoff and jitter (so a fleet booting at once spreads out) until {@code giveUp}; an expired
 * nonce is retried at once with a new one. The broker's refusal names only stages.
 */
public final class PullClient {
    static final String CHALLENGE_PATH = "/v1/challenge";
    static final String RELEASE_PATH = "/v1/release";
    static final String IMAGE_ID_HEADER = "Cvmfde-Image-Id";
    static final String NONCE_HEADER = "Cvmfde-Nonce";
    /** Largest answer body read: a release frame. */
    static final int MAX_ANSWER_BYTES = 64 * 1024;

    private final PullConfig config;
    private final Consumer<String> progress;
    private final ReleaseGate gate;

    /** @param progress one line per attempt problem and the outcome (no secrets) */
    public PullClient(PullConfig config, Consumer<String> progress) {
        this.config = Objects.requireNonNull(config, "config");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.gate = new ReleaseGate(config.verifierTrust(), config.keySink(), config.clock(), () -> { });
    }

    /**
     * Loads what an exchange needs (JSON codecs, EC key generation, the JWS/JWE classes) ahead of
     * time, e.g. while the network comes up, so the fetch at network-up costs only the exchange.
     */
    public static void prepare() {
        ECKey key = EphemeralKeys.generate();
        byte[] nonce = new byte[dev.cvmfde.protocol.wire.WireLimits.NONCE_BYTES];
        ChallengeBinding.challenge(nonce, key.toPublicJWK());
        try {
            MessageJson.decode(MessageJson.encode(new EvidenceRequest(nonce)), Expect.GUEST_AWAITING_REQUEST);
            MessageJson.decode(MessageJson.encode(Refusal.of(List.of("prepare"))), Expect.GUEST_AWAITING_VERDICT);
            dev.cvmfde.protocol.release.ReleaseOpener.class.getName();
        } catch (WireException e) {
            throw new IllegalStateException("the wire codec cannot encode its own messages", e);
        }
    }

    /** Tries until a key unlocks or {@code giveUp} passes. */
    public PullOutcome fetch() throws InterruptedException {
        return fetch(() -> false);
    }

    /** Like {@link #fetch()}, and stops after an attempt once {@code stop} says so (e.g. the volume was refused for good). */
    public PullOutcome fetch(java.util.function.BooleanSupplier stop) throws InterruptedException {
        long deadline = System.nanoTime() + config.giveUp().toNanos();
        Duration backoff = config.firstBackoff();
        String last = "no attempt";
        BrokerConnection connection = null;
        try {
            for (int attempt = 1; ; attempt++) {
                Attempt result;
                try {
                    if (connection == null || connection.closed()) {
                        closeQuietly(connection);
                        connection = BrokerConnection.open(config.broker(), config.timeout());
                    }
                    result = exchange(connection);
                } catch (IOException e) {
                    closeQuietly(connection);
                    connection = null;
                    result = new Attempt.Retry("broker " + config.broker() + ": " + e.getMessage(), Duration.ZERO);
                }
                switch (result) {
                    case Attempt.Done done -> {
                        return new PullOutcome.Unlocked(done.detail(), attempt);
                    }
                    case Attempt.Again again -> {
                        progress.accept("attempt " + attempt + ": " + again.why() + "; asking again at once");
                        last = again.why();
                        continue;
                    }
                    case Attempt.Retry retry -> last = retry.why();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || stop.getAsBoolean()) {
                    return new PullOutcome.GaveUp(last, attempt);
                }
                Duration floor = ((Attempt.Retry) result).notBefore();
                Duration jitter = jittered(backoff);
                Duration wait = jitter.compareTo(floor) < 0 ? floor : jitter;
                wait = wait.toNanos() > left ? Duration.ofNanos(left) : wait;
                progress.accept("attempt " + attempt + " failed: " + last + "; retrying in " + wait.toMillis() + " ms");
                Thread.sleep(wait);
                Duration doubled = backoff.multipliedBy(2);
                backoff = doubled.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : doubled;
            }
        } finally {
            closeQuietly(connection);
        }
    }

    private sealed interface Attempt {
        record Done(String detail) implements Attempt {
        }

        /** Ask again at once (the nonce expired between challenge and release). */
        record Again(String why) implements Attempt {
        }

        record Retry(String why, Duration notBefore) implements Attempt {
        }
    }

    private Attempt exchange(BrokerConnection connection) throws IOException {
        byte[] challengeBody = ("{\"imageId\":\"" + config.imageId() + "\"}").getBytes(StandardCharsets.US_ASCII);
        BrokerConnection.Response answer = connection.post(CHALLENGE_PATH, Map.of(), challengeBody, MAX_ANSWER_BYTES);
        if (answer.status() != 200) {
            return unexpected("challenge", answer);
        }
        byte[] nonce = ((EvidenceRequest) decode(answer.body(), Expect.GUEST_AWAITING_REQUEST)).nonce();
        ECKey ephemeral = EphemeralKeys.generate();
        Evidence evidence;
        try {
            ECKey publicKey = ephemeral.toPublicJWK();
            evidence = EvidenceMessages.toWire(config.provider().collect(ChallengeBinding.challenge(nonce, publicKey)),
                    publicKey);
        } catch (EvidenceException | IllegalArgumentException e) {
            return new Attempt.Retry("evidence: " + e.getMessage(), Duration.ZERO);
        }
        if (connection.closed()) {
            throw new IOException("the broker closed the connection after the challenge");
        }
        byte[] body;
        try {
            body = MessageJson.encode(evidence);
        } catch (WireException e) {
            return new Attempt.Retry("evidence does not fit the wire: " + e.error().describe(), Duration.ZERO);
        }
        answer = connection.post(RELEASE_PATH, Map.of(IMAGE_ID_HEADER, config.imageId(),
                NONCE_HEADER, Base64.getUrlEncoder().withoutPadding().encodeToString(nonce)), body, MAX_ANSWER_BYTES);
        if (answer.status() != 200 && answer.status() != 403) {
            return unexpected("release", answer);
        }
        Message verdict = decode(answer.body(), Expect.GUEST_AWAITING_VERDICT);
        return switch (verdict) {
            case Release release -> open(release, ephemeral, nonce);
            case Refusal refusal when refusal.stages().equals(List.of("nonce")) ->
                    new Attempt.Again("the broker did not accept the nonce (expired, or issued by a broker of another"
                            + " store)");
            case Refusal refusal -> new Attempt.Retry("the broker REFUSED to release the key; failed stages: "
                    + String.join(", ", refusal.stages()) + " (the details are in the broker's audit trail)",
                    Duration.ZERO);
            default -> throw new IOException("broker: unexpected " + verdict.type().wireName());
        };
    }

    private Attempt open(Release release, ECKey ephemeral, byte[] nonce) {
        ReleaseGate.Result result = gate.handle(release.jws(), ephemeral, nonce, String.valueOf(config.broker()));
        return switch (result) {
            case ReleaseGate.Result.Unlocked u -> new Attempt.Done(u.detail());
            case ReleaseGate.Result.AlreadyUnlocked a -> new Attempt.Done("already unlocked");
            case ReleaseGate.Result.Rejected r -> new Attempt.Retry("release refused (" + r.check() + "): " + r.message(),
                    Duration.ZERO);
            case ReleaseGate.Result.SinkFailed f -> new Attempt.Retry("unlock failed: " + f.detail(), Duration.ZERO);
        };
    }

    private static Attempt unexpected(String step, BrokerConnection.Response answer) {
        String why = "broker answered " + step + " with HTTP " + answer.status() + ": " + shorten(answer.body());
        return new Attempt.Retry(why, Duration.ofSeconds(answer.retryAfterSeconds().orElse(0)));
    }

    private static Message decode(byte[] body, Expect expect) throws IOException {
        try {
            return MessageJson.decode(body, expect);
        } catch (WireException e) {
            throw new IOException("broker: bad answer: " + e.error().describe(), e);
        }
    }

    /** Half the backoff plus a random part of the other half: a fleet that failed together spreads out. */
    private static Duration jittered(Duration backoff) {
        long half = Math.max(1, backoff.toMillis() / 2);
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    private static String shorten(byte[] body) {
        String s = new String(body, 0, Math.min(body.length, 160), StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", "");
        return s.isEmpty() ? "(no body)" : s;
    }

    private static void closeQuietly(BrokerConnection c) {
        if (c != null) {
            c.close();
        }
    }

    @Override
    public String toString() {
        return "PullClient[" + config.broker() + ", image " + config.imageId() + "]";
    }
}
