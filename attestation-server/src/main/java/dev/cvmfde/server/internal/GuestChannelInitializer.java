package dev.cvmfde.server.internal;

import dev.cvmfde.protocol.wire.Expect;
import dev.cvmfde.protocol.wire.WireCodec;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Admits each accepted connection through the {@link SourceLimiter} and builds the pipeline of
 * those it serves, top to bottom: TLS (optional) → reader-idle timeout → wire codec (guest side) →
 * {@link SessionHandler}. A refused connection is closed before any handler is added; a queued one
 * is held unread (no handler, nothing parsed) until a slot frees or the read timeout passes.
 */
public final class GuestChannelInitializer extends ChannelInitializer<SocketChannel> {
    private static final System.Logger LOG = ServerLog.LOGGER;
    public static final String TLS = "tls";
    public static final String IDLE = "read-idle";
    public static final String SESSION = "session";
    private static final AttributeKey<ScheduledFuture<?>> QUEUE_DEADLINE = AttributeKey.valueOf("cvmfde-queue-deadline");

    private final SessionContext context;
    private final Optional<SslContext> tls;
    private final ChannelGroup open;
    private final AtomicLong refused = new AtomicLong();

    public GuestChannelInitializer(SessionContext context, Optional<SslContext> tls, ChannelGroup open) {
        this.context = context;
        this.tls = tls;
        this.open = open;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        InetAddress source = ch.remoteAddress().getAddress();
        SourceLimiter<Channel> limiter = context.limiter();
        switch (limiter.arrive(source, ch)) {
            case SourceLimiter.Admission.Refused r -> {
                LOG.log(Level.WARNING, "{0}: connection refused: {1} ({2} refused so far)", ch.remoteAddress(),
                        r.reason(), refused.incrementAndGet());
                ch.close();
                return;
            }
            case SourceLimiter.Admission.Queued q -> {
                ch.config().setAutoRead(false);
                long millis = context.readTimeout().toMillis();
                ch.attr(QUEUE_DEADLINE).set(ch.eventLoop().schedule(() -> {
                    LOG.log(Level.WARNING, "{0}: closing queued connection: no connection slot freed within {1} ms",
                            ch.remoteAddress(), millis);
                    ch.close();
                }, millis, TimeUnit.MILLISECONDS));
                LOG.log(Level.INFO, "{0}: every connection slot is busy; queued at position {1}", ch.remoteAddress(),
                        q.position());
            }
            case SourceLimiter.Admission.Serve s -> serve(ch);
        }
        open.add(ch);
        ch.closeFuture().addListener(f -> limiter.leave(source, ch)
                .ifPresent(next -> next.eventLoop().execute(() -> serveQueued(next))));
    }

    /** A queued connection got its slot (on its event loop). */
    private void serveQueued(Channel ch) {
        ScheduledFuture<?> deadline = ch.attr(QUEUE_DEADLINE).getAndSet(null);
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (!ch.isActive()) {
            return; // its close listener frees the slot again
        }
        LOG.log(Level.INFO, "{0}: a connection slot freed; serving the queued connection", ch.remoteAddress());
        serve(ch);
        ch.config().setAutoRead(true);
    }

    private void serve(Channel ch) {
        ChannelPipeline pipeline = ch.pipeline();
        tls.ifPresent(ssl -> pipeline.addLast(TLS, ssl.newHandler(ch.alloc())));
        pipeline.addLast(IDLE, new IdleStateHandler(context.readTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        WireCodec codec = WireCodec.install(pipeline, Expect.GUEST_AWAITING_REQUEST);
        pipeline.addLast(SESSION, new SessionHandler(codec, context));
    }
}
