package dev.cvmfde.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A listening attestation server, from {@link AttestationServer#start}. It serves connections
 * until a release unlocks (it then stops by itself) or until {@link #close()}. Thread-safe.
 */
public final class RunningServer implements AutoCloseable {
    private static final System.Logger LOG = dev.cvmfde.server.internal.ServerLog.LOGGER;
    /** How long {@link #close()} waits for the network threads and executors to finish. */
    public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

    private final Channel listener;
    private final ChannelGroup connections;
    private final EventLoopGroup loops;
    private final ExecutorService evidenceExecutor;
    private final ExecutorService unlockExecutor;
    private final CompletableFuture<ServerOutcome> outcome = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    RunningServer(Channel listener, ChannelGroup connections, EventLoopGroup loops,
                  ExecutorService evidenceExecutor, ExecutorService unlockExecutor) {
        this.listener = listener;
        this.connections = connections;
        this.loops = loops;
        this.evidenceExecutor = evidenceExecutor;
        this.unlockExecutor = unlockExecutor;
    }

    /** The address actually bound (the real port when the configuration asked for port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Blocks until a key unlocked ({@link ServerOutcome.Unlocked}) or the server was closed ({@link ServerOutcome.Stopped}). */
    public ServerOutcome awaitUnlocked() throws InterruptedException {
        try {
            return outcome.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("server outcome failed", e.getCause());
        }
    }

    /** As {@link #awaitUnlocked()}, but gives up after {@code timeout} (empty: still serving). */
    public Optional<ServerOutcome> awaitUnlocked(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(outcome.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException("server outcome failed", e.getCause());
        }
    }

    /** Whether the listener is still accepting connections. */
    public boolean isServing() {
        return listener.isOpen();
    }

    /**
     * Stops listening, closes every connection, and waits (up to {@link #SHUTDOWN_GRACE}) for the
     * threads to finish. A sink call in progress is not interrupted. Idempotent.
     */
    @Override
    public void close() {
        outcome.complete(new ServerOutcome.Stopped());
        shutDown();
        stopped.join();
    }

    /**
     * Called as soon as a key has opened the volume, before its ack is sent: the listener closes,
     * so a later connection is refused by the kernel; the open connections finish (the ack is sent)
     * and then {@link #unlocked} stops everything. Runs on the unlock executor, never a network thread.
     */
    void stopAccepting() {
        if (listener.eventLoop().inEventLoop()) {
            listener.close();
        } else {
            listener.close().awaitUninterruptibly(SHUTDOWN_GRACE.toMillis());
        }
        LOG.log(Level.INFO, "the key opened the volume: stopped accepting connections on {0}", listener.localAddress());
    }

    /** Called once the ack of a successful unlock is flushed: record the outcome, then stop. */
    void unlocked(String detail, SocketAddress verifier) {
        if (outcome.complete(new ServerOutcome.Unlocked(detail, verifier))) {
            Thread.ofPlatform().daemon().name("attestation-server-stop").start(this::shutDown);
        }
    }

    private synchronized void shutDown() {
        if (stopped.isDone()) {
            return;
        }
        listener.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly(SHUTDOWN_GRACE.toMillis());
        evidenceExecutor.shutdownNow();
        unlockExecutor.shutdown();
        loops.shutdownGracefully(0, SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(SHUTDOWN_GRACE.toMillis());
        try {
            if (!unlockExecutor.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(Level.WARNING, "a key sink call is still running after {0} s", SHUTDOWN_GRACE.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.log(Level.INFO, "stopped listening on {0}", listener.localAddress());
        stopped.complete(null);
    }
}
