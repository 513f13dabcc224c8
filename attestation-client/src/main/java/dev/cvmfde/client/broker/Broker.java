package dev.cvmfde.client.broker;

import dev.cvmfde.client.broker.internal.BrokerHandler;
import dev.cvmfde.client.broker.internal.BrokerInitializer;
import dev.cvmfde.client.broker.internal.SourceConnections;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pull-mode broker: an HTTP/JSON server (optionally TLS) that many guests connect to at boot.
 * {@code POST /v1/challenge} with {@code {"imageId": ID}} answers an {@code evidence-request}
 * message holding a stateless, MAC'd nonce ({@link BrokerNonces}); {@code POST /v1/release} with
 * headers {@code Cvmfde-Image-Id} and {@code Cvmfde-Nonce} and an {@code evidence} message as its
 * body answers a {@code release} (200) or a {@code refusal} naming only stages (403), the same
 * messages as the push-mode protocol. Appraisal runs on a bounded pool, never on the network
 * threads. Brokers sharing a store and its nonce key are interchangeable.
 * <pre>{@code
 * try (RunningBroker broker = Broker.start(BrokerConfig.of(new InetSocketAddress(7221)), releases)) {
 *     broker.awaitClose();
 * }
 * }</pre>
 */
public final class Broker {
    public static final String CHALLENGE_PATH = "/v1/challenge";
    public static final String RELEASE_PATH = "/v1/release";
    public static final String IMAGE_ID_HEADER = "Cvmfde-Image-Id";
    public static final String NONCE_HEADER = "Cvmfde-Nonce";
    /** Network threads; appraisal runs elsewhere. */
    public static final int EVENT_LOOP_THREADS = 2;
    public static final int ACCEPT_BACKLOG = 1024;

    private Broker() {
    }

    /** Binds and serves; returns once listening. */
    public static RunningBroker start(BrokerConfig config, BrokerReleases releases) throws IOException {
        BrokerLimits limits = config.limits();
        ThreadPoolExecutor appraisals = new ThreadPoolExecutor(limits.appraisalThreads(), limits.appraisalThreads(), 0,
                TimeUnit.SECONDS, new ArrayBlockingQueue<>(limits.maxQueuedAppraisals()),
                Thread.ofPlatform().daemon().name("broker-appraisal-", 0).factory(), new ThreadPoolExecutor.AbortPolicy());
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(EVENT_LOOP_THREADS, NioIoHandler.newFactory());
        BrokerHandler handler = new BrokerHandler(releases, appraisals);
        BrokerInitializer initializer = new BrokerInitializer(config, handler, new SourceConnections(limits),
                new AtomicLong(limits.maxBufferedBytes()));
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer);
        Channel listener;
        try {
            listener = bootstrap.bind(config.bindAddress()).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the bind's checked BindException undeclared
            loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            appraisals.shutdownNow();
            throw new IOException("cannot listen on " + config.bindAddress() + ": " + e.getMessage(), e);
        }
        return new RunningBroker(listener, loops, appraisals, (InetSocketAddress) listener.localAddress());
    }
}
