package dev.cvmfde.client.broker;

import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a broker listens: the address (port 0 picks a free one), optional TLS, the limits, and how
 * long a connection may stay silent before it is closed.
 */
public record BrokerConfig(InetSocketAddress bindAddress, Optional<SslContext> tls, BrokerLimits limits,
        Duration idleTimeout) {
    public static final int DEFAULT_PORT = 7221;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration MAX_IDLE_TIMEOUT = Duration.ofHours(1);

    public BrokerConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(tls, "tls (use Optional.empty())");
        Objects.requireNonNull(limits, "limits");
        if (idleTimeout == null || idleTimeout.toMillis() < 1 || idleTimeout.compareTo(MAX_IDLE_TIMEOUT) > 0) {
            throw new IllegalArgumentException("idleTimeout is " + idleTimeout + "; 1 ms to 1 h is allowed");
        }
        if (tls.isPresent() && tls.get().isClient()) {
            throw new IllegalArgumentException("tls must be a server SslContext (SslContextBuilder.forServer)");
        }
    }

    /** Plain HTTP on {@code bindAddress} with the default limits and idle timeout. */
    public static BrokerConfig of(InetSocketAddress bindAddress) {
        return new BrokerConfig(bindAddress, Optional.empty(), BrokerLimits.defaults(), DEFAULT_IDLE_TIMEOUT);
    }

    public BrokerConfig withLimits(BrokerLimits newLimits) {
        return new BrokerConfig(bindAddress, tls, newLimits, idleTimeout);
    }

    public BrokerConfig withTls(SslContext context) {
        return new BrokerConfig(bindAddress, Optional.of(context), limits, idleTimeout);
    }

    public BrokerConfig withIdleTimeout(Duration timeout) {
        return new BrokerConfig(bindAddress, tls, limits, timeout);
    }
}
