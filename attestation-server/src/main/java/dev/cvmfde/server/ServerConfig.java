package dev.cvmfde.server;

import dev.cvmfde.server.provider.EvidenceProvider;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@link AttestationServer#start} needs. Start from {@link #of} (defaults below) and
 * change what differs with the {@code with…} methods; values are checked here, once.
 *
 * @param bindAddress where to listen (port 0 picks a free port; see {@link RunningServer#localAddress()})
 * @param provider the evidence source; called off the network threads, one call at a time
 * @param verifierTrust the pinned verifier key, or the insecure any-verifier mode
 * @param keySink receives the key of a valid release
 * @param readTimeout how long the peer may stay silent while the guest waits for its next
 *     message (evidence request, then release/refusal); the connection is then closed
 * @param sessionTimeout the longest a connection may last, whatever it does (stops a peer that
 *     trickles one byte at a time)
 * @param limits connections and evidence requests allowed overall and per source, and the queue
 *     for connections that arrive while every slot is busy ({@link ConnectionLimits})
 * @param tls a server {@link SslContext} to wrap every connection in TLS, or empty for plain TCP
 * @param clock checks the release's {@code iat}/{@code exp}
 */
public record ServerConfig(InetSocketAddress bindAddress, EvidenceProvider provider, VerifierTrust verifierTrust,
                           KeySink keySink, Duration readTimeout, Duration sessionTimeout, ConnectionLimits limits,
                           Optional<SslContext> tls, Clock clock) {

    /** The reference virtCCA server's port. */
    public static final int DEFAULT_PORT = 7220;
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofMinutes(2);
    /** Upper bound for both timeouts. */
    public static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    public ServerConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(verifierTrust, "verifierTrust");
        Objects.requireNonNull(keySink, "keySink");
        Objects.requireNonNull(tls, "tls (use Optional.empty())");
        Objects.requireNonNull(clock, "clock");
        checkTimeout(readTimeout, "readTimeout");
        checkTimeout(sessionTimeout, "sessionTimeout");
        Objects.requireNonNull(limits, "limits");
        if (tls.isPresent() && tls.get().isClient()) {
            throw new IllegalArgumentException("tls must be a server SslContext (SslContextBuilder.forServer)");
        }
    }

    /** A plain-TCP configuration with the default timeouts and {@link ConnectionLimits#defaults()} and the system clock. */
    public static ServerConfig of(InetSocketAddress bindAddress, EvidenceProvider provider,
                                  VerifierTrust verifierTrust, KeySink keySink) {
        return new ServerConfig(bindAddress, provider, verifierTrust, keySink, DEFAULT_READ_TIMEOUT,
                DEFAULT_SESSION_TIMEOUT, ConnectionLimits.defaults(), Optional.empty(), Clock.systemUTC());
    }

    public ServerConfig withReadTimeout(Duration timeout) {
        return new ServerConfig(bindAddress, provider, verifierTrust, keySink, timeout, sessionTimeout, limits, tls, clock);
    }

    public ServerConfig withSessionTimeout(Duration timeout) {
        return new ServerConfig(bindAddress, provider, verifierTrust, keySink, readTimeout, timeout, limits, tls, clock);
    }

    public ServerConfig withLimits(ConnectionLimits newLimits) {
        return new ServerConfig(bindAddress, provider, verifierTrust, keySink, readTimeout, sessionTimeout, newLimits,
                tls, clock);
    }

    /** Shorthand for {@code withLimits(limits().withMaxConnections(max))}. */
    public ServerConfig withMaxConnections(int max) {
        return withLimits(limits.withMaxConnections(max));
    }

    /** Shorthand for {@code withLimits(limits().withEvidenceRequestsPerSecond(perSecond))} (all sources together). */
    public ServerConfig withEvidenceRequestsPerSecond(int perSecond) {
        return withLimits(limits.withEvidenceRequestsPerSecond(perSecond));
    }

    public ServerConfig withTls(SslContext serverContext) {
        return new ServerConfig(bindAddress, provider, verifierTrust, keySink, readTimeout, sessionTimeout, limits,
                Optional.of(serverContext), clock);
    }

    public ServerConfig withClock(Clock newClock) {
        return new ServerConfig(bindAddress, provider, verifierTrust, keySink, readTimeout, sessionTimeout, limits, tls,
                newClock);
    }

    private static void checkTimeout(Duration timeout, String name) {
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException(name + " is " + timeout + "; more than 0 and at most "
                    + MAX_TIMEOUT + " is allowed");
        }
    }
}
