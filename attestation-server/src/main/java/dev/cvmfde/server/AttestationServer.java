package dev.cvmfde.server;

import dev.cvmfde.server.internal.GuestChannelInitializer;
import dev.cvmfde.server.internal.ReleaseGate;
import dev.cvmfde.server.internal.ServerLog;
import dev.cvmfde.server.internal.SessionContext;
import dev.cvmfde.server.internal.SourceLimiter;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.lang.System.Logger.Level;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The guest's attestation server: answers a verifier's evidence request with evidence bound to
 * a fresh per-connection key, opens the verifier's release, hands the key to the
 * {@link KeySink} and acks. It keeps serving after bad, aborted or refused clients and stops
 * after the first unlock: the listener is closed before the ack is sent (later connections are
 * refused by the kernel) and sessions still open get no evidence:
 * <pre>{@code
 * ServerConfig config = ServerConfig.of(new InetSocketAddress(7220), provider,
 *         VerifierTrust.pinned(PinnedVerifierKey.read(pinnedKeyFile)), key -> openVolume(key));
 * try (RunningServer server = AttestationServer.start(config)) {
 *     ServerOutcome outcome = server.awaitUnlocked();
 * }
 * }</pre>
 */
public final class AttestationServer {
    private static final System.Logger LOG = ServerLog.LOGGER;
    /** Network threads: one accepts and serves all connections; blocking work runs elsewhere. */
    public static final int EVENT_LOOP_THREADS = 1;
    /** Pending connections the kernel queues before the server accepts them. */
    public static final int ACCEPT_BACKLOG = 64;

    private AttestationServer() {
    }

    /** Binds and starts serving; returns once the port is listening. */
    public static RunningServer start(ServerConfig config) throws ServerStartException {
        if (config.verifierTrust() instanceof VerifierTrust.InsecureAnyVerifier) {
            LOG.log(Level.WARNING, "INSECURE: any verifier key is accepted (--insecure-accept-any-verifier); "
                    + "whoever reaches this port can make the guest use a key of its choosing");
        }
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(EVENT_LOOP_THREADS, NioIoHandler.newFactory());
        ExecutorService evidence = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("attestation-evidence").factory());
        ExecutorService unlock = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("attestation-unlock").factory());
        DefaultChannelGroup connections = new DefaultChannelGroup("attestation-connections", GlobalEventExecutor.INSTANCE);
        AtomicReference<RunningServer> running = new AtomicReference<>();
        SessionContext context = new SessionContext(config.provider(), evidence,
                new ReleaseGate(config.verifierTrust(), config.keySink(), config.clock(),
                        () -> running.get().stopAccepting()), unlock,
                new SourceLimiter<>(config.limits(), System.nanoTime()),
                config.readTimeout(), config.sessionTimeout(),
                (detail, verifier) -> running.get().unlocked(detail, verifier));
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new GuestChannelInitializer(context, config.tls(), connections));
        Channel listener;
        try {
            listener = bootstrap.bind(config.bindAddress()).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the bind's checked BindException undeclared
            loops.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS);
            evidence.shutdownNow();
            unlock.shutdownNow();
            throw new ServerStartException("cannot listen on " + config.bindAddress() + ": " + e.getMessage(), e);
        }
        RunningServer server = new RunningServer(listener, connections, loops, evidence, unlock);
        running.set(server);
        LOG.log(Level.INFO, "listening on {0} (provider {1}, {2})", server.localAddress(), config.provider().name(),
                describe(config.verifierTrust()));
        return server;
    }

    private static String describe(VerifierTrust trust) {
        return switch (trust) {
            case VerifierTrust.Pinned pinned -> "verifier key " + pinned.key().thumbprint();
            case VerifierTrust.InsecureAnyVerifier any -> "ANY verifier key (insecure)";
        };
    }
}
