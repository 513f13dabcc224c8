package dev.cvmfde.agent;

import dev.cvmfde.agent.config.AgentConfig;
import dev.cvmfde.agent.console.AgentConsole;
import dev.cvmfde.agent.net.AddressSource;
import dev.cvmfde.agent.net.HostAddress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the agent on its own thread with a console that tests can read. */
public final class AgentHarness implements AutoCloseable {
    static final Duration POLL = Duration.ofMillis(50);
    private static final Pattern ADDRESS = Pattern.compile("^fde: 127\\.0\\.0\\.1:(\\d+)$", Pattern.MULTILINE);

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    public final AtomicInteger polls = new AtomicInteger();
    private final CompletableFuture<AgentOutcome> outcome = new CompletableFuture<>();
    private Thread thread;

    /** An address source at the network edge: no address for the first {@code silentPolls} polls, then 127.0.0.1. */
    public AddressSource lateLoopback(int silentPolls) throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        return () -> polls.incrementAndGet() <= silentPolls ? List.of() : List.of(new HostAddress("test0", lo));
    }

    public AgentHarness start(AgentConfig config, AddressSource addresses) {
        return run(new FdeAgent(config, addresses, AgentConsole.to(out), POLL)
                .withHeaderCopyDir(Path.of(System.getProperty("java.io.tmpdir"))));
    }

    /** A host run without a kernel ({@link FdeAgent#onVolumeFile}); the address source must never be asked. */
    public AgentHarness startOnVolumeFile(AgentConfig config, Path volumeFile) {
        AddressSource never = () -> {
            throw new AssertionError("a host run on a volume file must not look at the host's interfaces");
        };
        return run(new FdeAgent(config, never, AgentConsole.to(out), POLL).onVolumeFile(volumeFile));
    }

    private AgentHarness run(FdeAgent agent) {
        thread = Thread.ofPlatform().name("agent-under-test").start(() -> {
            try {
                outcome.complete(agent.run());
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        });
        return this;
    }

    public String console() {
        synchronized (out) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    /** The address the agent printed ({@code fde: 127.0.0.1:PORT}), waiting for it. */
    public InetSocketAddress awaitAddress(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            Matcher m = ADDRESS.matcher(console());
            if (m.find()) {
                return new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
            }
            if (outcome.isDone()) {
                throw new AssertionError("agent ended before listening: " + outcome.join() + "\n" + console());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no 'fde: 127.0.0.1:PORT' line within " + timeout + ":\n" + console());
    }

    /** Whether the agent has ended within a short grace period (it must not after a failed unlock). */
    public boolean awaitOutcomeQuietly() throws InterruptedException {
        Thread.sleep(300);
        return outcome.isDone();
    }

    public AgentOutcome awaitOutcome(Duration timeout) throws Exception {
        return outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (thread != null && thread.isAlive()) {
            thread.interrupt();
            thread.join(10_000);
        }
    }
}
