package dev.cvmfde.server.internal;

import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.protocol.wire.WireCodec;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds each accepted connection's pipeline, top to bottom: TLS (optional) → reader-idle
 * timeout → wire codec (guest side) → {@link SessionHandler}. A connection beyond the limit is
 * closed before any handler is added.
 */
public final class GuestChannelInitializer extends ChannelInitializer<SocketChannel> {
    private static final System.Logger LOG = ServerLog.LOGGER;
    public static final String TLS = "tls";
    public static final String IDLE = "read-idle";
    public static final String SESSION = "session";

    private final SessionContext context;
    private final Optional<SslContext> tls;
    private final int maxConnections;
    private final ChannelGroup open;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();

    public GuestChannelInitializer(SessionContext context, Optional<SslContext> tls, int maxConnections,
                                   ChannelGroup open) {
        this.context = context;
        this.tls = tls;
        this.maxConnections = maxConnections;
        this.open = open;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        int now = active.incrementAndGet();
        if (now > maxConnections) {
            active.decrementAndGet();
            LOG.log(Level.WARNING, "{0}: connection refused: {1} connections are open, the limit is {2} ({3} refused so far)",
                    ch.remoteAddress(), now - 1, maxConnections, refused.incrementAndGet());
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> active.decrementAndGet());
        open.add(ch);
        ChannelPipeline pipeline = ch.pipeline();
        tls.ifPresent(ssl -> pipeline.addLast(TLS, ssl.newHandler(ch.alloc())));
        pipeline.addLast(IDLE, new IdleStateHandler(context.readTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        WireCodec codec = WireCodec.install(pipeline, Expect.GUEST_AWAITING_REQUEST);
        pipeline.addLast(SESSION, new SessionHandler(codec, context));
    }

    /** Connections being served right now. */
    public int activeConnections() {
        return active.get();
    }
}
