package dev.cvmfde.client.broker;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** A listening broker; {@link #close()} stops it (open exchanges are cut: guests retry elsewhere). */
public final class RunningBroker implements AutoCloseable {
    private final Channel listener;
    private final EventLoopGroup loops;
    private final ExecutorService appraisals;
    private final InetSocketAddress localAddress;

    RunningBroker(Channel listener, EventLoopGroup loops, ExecutorService appraisals, InetSocketAddress localAddress) {
        this.listener = listener;
        this.loops = loops;
        this.appraisals = appraisals;
        this.localAddress = localAddress;
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Blocks until the listener is closed (by {@link #close()} or a shutdown hook). */
    public void awaitClose() throws InterruptedException {
        listener.closeFuture().await();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        appraisals.shutdownNow();
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Override
    public String toString() {
        return "RunningBroker[" + localAddress + "]";
    }
}
