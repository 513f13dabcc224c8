package dev.cvmfde.client.broker.internal;

import dev.cvmfde.client.broker.BrokerLimits;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Counts open connections per source (an IPv4 address, or the /64 of an IPv6 address) and
 * overall. Only sources with an open connection are remembered, so the map is bounded by
 * {@link BrokerLimits#maxConnections()}. Thread-safe.
 */
public final class SourceConnections {
    private static final int IPV6_SOURCE_PREFIX_BYTES = 8;

    private final BrokerLimits limits;
    private final Map<String, Integer> open = new HashMap<>();
    private int total;

    public SourceConnections(BrokerLimits limits) {
        this.limits = limits;
    }

    /** Empty if admitted (call {@link #leave} when it closes), else the limit that refused it. */
    public synchronized Optional<String> arrive(InetAddress address) {
        String source = sourceOf(address);
        int held = open.getOrDefault(source, 0);
        if (held >= limits.maxConnectionsPerSource()) {
            return Optional.of("source " + source + " already holds " + held + " connections (maxConnectionsPerSource)");
        }
        if (total >= limits.maxConnections()) {
            return Optional.of("all " + limits.maxConnections() + " connections are in use (maxConnections)");
        }
        open.put(source, held + 1);
        total++;
        return Optional.empty();
    }

    public synchronized void leave(InetAddress address) {
        String source = sourceOf(address);
        Integer held = open.get(source);
        if (held == null) {
            return;
        }
        if (held <= 1) {
            open.remove(source);
        } else {
            open.put(source, held - 1);
        }
        total--;
    }

    public synchronized int openConnections() {
        return total;
    }

    static String sourceOf(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] prefix = Arrays.copyOf(address.getAddress(), IPV6_SOURCE_PREFIX_BYTES);
            return java.util.HexFormat.of().formatHex(prefix) + "::/64";
        }
        return address.getHostAddress();
    }
}
