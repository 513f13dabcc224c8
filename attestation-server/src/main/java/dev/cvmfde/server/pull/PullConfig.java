package dev.cvmfde.server.pull;

import dev.cvmfde.server.KeySink;
import dev.cvmfde.server.VerifierTrust;
import dev.cvmfde.server.provider.EvidenceProvider;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Pull mode: the guest fetches its key from a broker ({@code attestation-client serve}) instead of
 * waiting for a verifier to connect.
 *
 * @param broker {@code http://HOST:PORT} or {@code https://…} (the release is signed by the pinned
 *     verifier and sealed to this boot's ephemeral key, so TLS adds privacy of the image id only)
 * @param imageId the image id the broker looks the baseline and key up by (from the measured agent config)
 * @param timeout connect timeout and longest silence of the broker within one exchange
 * @param firstBackoff wait before the first retry; doubled (with jitter) after each failed attempt
 * @param maxBackoff longest wait between attempts
 * @param giveUp total time after which the client stops trying
 */
public record PullConfig(URI broker, String imageId, EvidenceProvider provider, VerifierTrust verifierTrust,
        KeySink keySink, Duration timeout, Duration firstBackoff, Duration maxBackoff, Duration giveUp, Clock clock) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_FIRST_BACKOFF = Duration.ofMillis(250);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);
    public static final Duration DEFAULT_GIVE_UP = Duration.ofMinutes(15);
    public static final Duration MAX_DURATION = Duration.ofHours(24);
    /** The image store's id form (attestation-client's {@code ImageId}): the broker refuses any other. */
    public static final Pattern IMAGE_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public PullConfig {
        Objects.requireNonNull(broker, "broker");
        if (!("http".equals(broker.getScheme()) || "https".equals(broker.getScheme())) || broker.getHost() == null
                || broker.getUserInfo() != null || broker.getQuery() != null || broker.getFragment() != null
                || !(broker.getRawPath() == null || broker.getRawPath().isEmpty() || broker.getRawPath().equals("/"))) {
            throw new IllegalArgumentException("broker URL is '" + broker + "'; http://HOST:PORT or https://HOST:PORT"
                    + " (no path, user, query) is required");
        }
        if (imageId == null || !IMAGE_ID.matcher(imageId).matches()) {
            throw new IllegalArgumentException("imageId is '" + imageId + "'; 1 to 64 of a-z 0-9 . _ -, starting with a letter or digit, are required"
                    + " in pull mode (the broker looks the image up by it)");
        }
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(verifierTrust, "verifierTrust");
        Objects.requireNonNull(keySink, "keySink");
        Objects.requireNonNull(clock, "clock");
        check(timeout, "timeout");
        check(firstBackoff, "firstBackoff");
        check(maxBackoff, "maxBackoff");
        check(giveUp, "giveUp");
        if (maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff (" + maxBackoff + ") is shorter than firstBackoff ("
                    + firstBackoff + ")");
        }
    }

    /** The defaults above and the system clock. */
    public static PullConfig of(URI broker, String imageId, EvidenceProvider provider, VerifierTrust trust,
            KeySink sink) {
        return new PullConfig(broker, imageId, provider, trust, sink, DEFAULT_TIMEOUT, DEFAULT_FIRST_BACKOFF,
                DEFAULT_MAX_BACKOFF, DEFAULT_GIVE_UP, Clock.systemUTC());
    }

    public PullConfig withBackoff(Duration first, Duration max, Duration newGiveUp) {
        return new PullConfig(broker, imageId, provider, verifierTrust, keySink, timeout, first, max, newGiveUp, clock);
    }

    public PullConfig withTimeout(Duration newTimeout) {
        return new PullConfig(broker, imageId, provider, verifierTrust, keySink, newTimeout, firstBackoff, maxBackoff,
                giveUp, clock);
    }

    private static void check(Duration d, String name) {
        if (d == null || d.toMillis() < 1 || d.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(name + " is " + d + "; 1 ms to 24 h is allowed");
        }
    }
}
