package dev.cvmfde.server.internal;

import dev.cvmfde.server.provider.EvidenceProvider;
import io.netty.channel.Channel;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * What every connection's {@link SessionHandler} shares: the provider and the executor it runs
 * on (providers block and take one call at a time), the release gate and its executor, the
 * per-source limits, the timeouts, and the callback that stops the server after an unlock.
 */
public record SessionContext(EvidenceProvider provider, Executor evidenceExecutor, ReleaseGate gate,
                             Executor unlockExecutor, SourceLimiter<Channel> limiter, Duration readTimeout, Duration sessionTimeout,
                             BiConsumer<String, SocketAddress> onUnlocked) {
}
