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
 * @param maxConnections connections served at once; more are closed as soon as they are accepted
 * @param tls a server {@link SslContext} to wrap every connection in TLS, or empty for plain TCP
 * @param clock checks the release's {@code iat}/{@code exp}
 * @param evidenceRequestsPerSecond evidence requests served per second over all connections (burst
 *     as many); a request beyond it closes its connection without asking the TEE
 */
public record ServerConfig(InetSocketAddress bindAddress, EvidenceProvider provider, VerifierTrust verifierTrust,
                           KeySink keySink, Duration readTimeout, Duration sessionTimeout, int maxConnections,
                           Optional<SslContext> tls, Clock clock, int evidenceRequestsPerSecond) {

    /** The reference virtCCA server's port. */
    public static final int DEFAULT_PORT = 7220;
    public static final int DEFAULT_MAX_CONNECTIONS = 16;
    /** Upper bound for {@code maxConnections}: a guest initramfs has little memory to spare. */
    public static final int MAX_MAX_CONNECTIONS = 1024;
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofMinutes(2);
    public static final int DEFAULT_EVIDENCE_REQUESTS_PER_SECOND = 20;
    public static final int MAX_EVIDENCE_REQUESTS_PER_SECOND = 10_000;
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
        if (maxConnections < 1 || maxConnections > MAX_MAX_CONNECTIONS) {
            throw new IllegalArgumentException("maxConnections is " + maxConnections + "; 1 to "
                    + MAX_MAX_CONNECTIONS + " are allowed");
        }
        if (evidenceRequestsPerSecond < 1 || evidenceRequestsPerSecond > MAX_EVIDENCE_REQUESTS_PER_SECOND) {
            throw new IllegalArgumentException("evidenceRequestsPerSecond is " + evidenceRequestsPerSecond + "; 1 to "
                    + MAX_EVIDENCE_REQUESTS_PER_SECOND + " are allowed");
        }
        if (tls.isPresent() && tls.get().isClient()) {
            throw new IllegalArgumentException("tls must be a server SslContext (SslContextBuilder.forServer)");
        }
    }

    /** A plain-TCP configuration with the default timeouts and connection limit and the system clock. */
    public static ServerConfig of(InetSocketAddress bindAddress, EvidenceProvider provider,
                                  VerifierTrust verifierTrust, KeySink keySink) {
        return new ServerConfig(bindAddress, provider, verifierTrust, keySink, DEFAULT_READ_TIMEOUT,
                DEFAULT_SESSION_TIMEOUT, DEFAULT_MAX_CONNECTIONS, Optional.empty(), Clock.systemUTC(),
                DEFAULT_EVIDENCE_REQUESTS_PER_SECOND);
    }

    public ServerConfig withReadTimeout(Duration timeout) {
        return new ServerConfig(bindAddress, provider, verifierTrust, keySink, timeout, sessionTimeout,
                maxConnections, tls, clock, evidenceRequestsPerSecond);
    }

    public ServerConfig withSessionTimeout(Duration timeout) {
        return new ServerConfig(bindAddress, provider, verifierTrust, keySink, readTimeout, timeout,
                maxConnections, tls, clock, evidenceRequestsPerSecond);
    }

    public ServerConfig withMaxConnections(int max) {
        return new ServerConfig(bindAddress, provider, verifierTrust, keySink, readTimeout, sessionTimeout,
                max, tls, clock, evidenceRequestsPerSecond);
    }

    public ServerConfig withTls(SslContext serverContext) {
        return new ServerConfig(bindAddress, provider, verifierTrust, keySink, readTimeout, sessionTimeout,
                maxConnections, Optional.of(serverContext), clock, evidenceRequestsPerSecond);
    }

    public ServerConfig withClock(Clock newClock) {
        return new ServerConfig(bindAddress, provider, verifierTrust, keySink, readTimeout, sessionTimeout,
                maxConnections, tls, newClock, evidenceRequestsPerSecond);
    }

    public ServerConfig withEvidenceRequestsPerSecond(int perSecond) {
        return new ServerConfig(bindAddress, provider, verifierTrust, keySink, readTimeout, sessionTimeout,
                maxConnections, tls, clock, perSecond);
    }

    private static void checkTimeout(Duration timeout, String name) {
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException(name + " is " + timeout + "; more than 0 and at most "
                    + MAX_TIMEOUT + " is allowed");
        }
    }
}
