package dev.cvmfde.server.internal;

import dev.cvmfde.server.ConnectionLimits;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who may be served: counts connections and evidence requests per source and overall, and keeps
 * a small queue of connections that arrived while every slot was busy. When a slot frees, the
 * queued connection of the source with the fewest connections is served next, so one noisy source
 * cannot keep another out. Sources are remembered in a bounded map ({@link
 * ConnectionLimits#MAX_TRACKED_SOURCES}). Thread-safe; {@code C} is the connection (a Netty channel).
 */
public final class SourceLimiter<C> {

    /** What to do with an arriving connection. */
    public sealed interface Admission {
        /** Serve it now. */
        record Serve() implements Admission {
        }

        /** Hold it unread until {@link #leave} hands it out; {@code position} counts from 1. */
        record Queued(int position) implements Admission {
        }

        /** Close it; {@code reason} names the limit that was reached. */
        record Refused(String reason) implements Admission {
        }
    }

    /** Whether an evidence request may go to the TEE. */
    public enum RequestVerdict { ALLOWED, SOURCE_RATE, OVERALL_RATE }

    private static final class Source {
        int active;
        int queued;
        final RequestRate rate;

        Source(RequestRate rate) {
            this.rate = rate;
        }

        boolean idle() {
            return active == 0 && queued == 0;
        }
    }

    private record Waiting<C>(InetAddress source, C connection) {
    }

    private final ConnectionLimits limits;
    private final RequestRate overall;
    private final Map<InetAddress, Source> sources = new LinkedHashMap<>(16, 0.75f, true);
    private final ArrayDeque<Waiting<C>> queue = new ArrayDeque<>();
    private int active;

    public SourceLimiter(ConnectionLimits limits, long nowNanos) {
        this.limits = limits;
        this.overall = new RequestRate(limits.evidenceRequestsPerSecond(), nowNanos);
    }

    /** Decides about a connection from {@code address}; unless refused, call {@link #leave} when it closes. */
    public synchronized Admission arrive(InetAddress address, C connection) {
        InetAddress key = sourceOf(address);
        Source source = source(key);
        int perSource = limits.effectiveConnectionsPerSource();
        if (source.active + source.queued >= perSource) {
            return new Admission.Refused("source " + key.getHostAddress() + " has " + (source.active + source.queued)
                    + " connections open or queued; the limit per source is " + perSource
                    + " (maxConnectionsPerSource)");
        }
        if (active < limits.maxConnections()) {
            source.active++;
            active++;
            return new Admission.Serve();
        }
        if (source.queued > 0) {
            return new Admission.Refused("all " + limits.maxConnections() + " connection slots are busy"
                    + " (maxConnections) and source " + key.getHostAddress() + " already has a connection queued");
        }
        if (queue.size() >= limits.maxQueuedConnections()) {
            return new Admission.Refused("all " + limits.maxConnections() + " connection slots are busy"
                    + " (maxConnections) and the queue holds " + queue.size() + " (maxQueuedConnections)");
        }
        queue.addLast(new Waiting<>(key, connection));
        source.queued++;
        return new Admission.Queued(queue.size());
    }

    /**
     * {@code connection} closed. If it was being served, its slot goes to the queued connection of the
     * source with the fewest connections (the oldest among equals), which is returned: serve it.
     */
    public synchronized Optional<C> leave(InetAddress address, C connection) {
        InetAddress key = sourceOf(address);
        Source source = source(key);
        for (Iterator<Waiting<C>> it = queue.iterator(); it.hasNext();) {
            if (it.next().connection() == connection) {
                it.remove();
                source.queued--;
                return Optional.empty();
            }
        }
        source.active--;
        active--;
        Waiting<C> next = null;
        int fewest = Integer.MAX_VALUE;
        for (Waiting<C> waiting : queue) {
            int held = sources.get(waiting.source()).active;
            if (held < fewest) {
                fewest = held;
                next = waiting;
            }
        }
        if (next == null) {
            return Optional.empty();
        }
        queue.remove(next);
        Source promoted = sources.get(next.source());
        promoted.queued--;
        promoted.active++;
        active++;
        return Optional.of(next.connection());
    }

    /** Takes a token from the source's bucket and then from the overall one. */
    public synchronized RequestVerdict tryEvidenceRequest(InetAddress address, long nowNanos) {
        if (!source(sourceOf(address)).rate.tryAcquire(nowNanos)) {
            return RequestVerdict.SOURCE_RATE;
        }
        return overall.tryAcquire(nowNanos) ? RequestVerdict.ALLOWED : RequestVerdict.OVERALL_RATE;
    }

    /** Connections being served now (not counting the queue). */
    public synchronized int activeConnections() {
        return active;
    }

    /** Connections waiting for a slot. */
    public synchronized int queuedConnections() {
        return queue.size();
    }

    /** Sources remembered now (at most {@link ConnectionLimits#MAX_TRACKED_SOURCES}). */
    public synchronized int trackedSources() {
        return sources.size();
    }

    private Source source(InetAddress key) {
        Source source = sources.get(key);
        if (source != null) {
            return source;
        }
        if (sources.size() >= ConnectionLimits.MAX_TRACKED_SOURCES) {
            forgetOneIdle();
        }
        source = new Source(new RequestRate(limits.effectiveRequestsPerSecondPerSource(), System.nanoTime()));
        sources.put(key, source);
        return source;
    }

    /** Drops the least recently seen source with nothing open (there always is one: see MAX_TRACKED_SOURCES). */
    private void forgetOneIdle() {
        for (Iterator<Source> it = sources.values().iterator(); it.hasNext();) {
            if (it.next().idle()) {
                it.remove();
                return;
            }
        }
        throw new IllegalStateException("every tracked source has a connection open; MAX_TRACKED_SOURCES is too small");
    }

    /** The source an address belongs to: an IPv4 address itself, an IPv6 address's /64. */
    static InetAddress sourceOf(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] bytes = address.getAddress();
        for (int i = ConnectionLimits.IPV6_SOURCE_PREFIX_BITS / 8; i < bytes.length; i++) {
            bytes[i] = 0;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }
}
