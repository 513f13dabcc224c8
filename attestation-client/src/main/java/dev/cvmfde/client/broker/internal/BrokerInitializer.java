package dev.cvmfde.client.broker.internal;

import dev.cvmfde.client.broker.BrokerConfig;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Admits each connection through {@link SourceConnections} (refused ones are closed before any
 * handler is added) and builds the pipeline top to bottom: TLS (optional) → idle timer → HTTP
 * codec (bounded initial line and headers) → {@link RequestBudget} → aggregator (bounded body) →
 * {@link BrokerHandler}.
 */
public final class BrokerInitializer extends ChannelInitializer<SocketChannel> {
    /** Request line, header block and chunk header limits of the HTTP codec. */
    public static final int MAX_INITIAL_LINE_BYTES = 1024;
    public static final int MAX_HEADER_BYTES = 8 * 1024;
    public static final int MAX_CHUNK_BYTES = 64 * 1024;

    private final BrokerConfig config;
    private final BrokerHandler handler;
    private final SourceConnections sources;
    private final AtomicLong budget;

    public BrokerInitializer(BrokerConfig config, BrokerHandler handler, SourceConnections sources, AtomicLong budget) {
        this.config = config;
        this.handler = handler;
        this.sources = sources;
        this.budget = budget;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        InetAddress source = ch.remoteAddress().getAddress();
        Optional<String> refused = sources.arrive(source);
        if (refused.isPresent()) {
            BrokerLog.LOGGER.log(System.Logger.Level.DEBUG, "{0}: connection refused: {1}", ch.remoteAddress(),
                    refused.get());
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> sources.leave(source));
        ChannelPipeline p = ch.pipeline();
        config.tls().ifPresent(tls -> p.addLast("tls", tls.newHandler(ch.alloc())));
        p.addLast("idle", new IdleStateHandler(config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("http", new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, MAX_CHUNK_BYTES));
        p.addLast("budget", new RequestBudget(budget, config.limits().maxRequestBytes()));
        p.addLast("aggregate", new HttpObjectAggregator(config.limits().maxRequestBytes()));
        p.addLast("broker", handler);
    }
}
