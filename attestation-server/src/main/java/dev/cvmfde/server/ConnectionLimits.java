package dev.cvmfde.server;

/**
 * How much of the guest one network peer may use. The verifier that matters connects from one
 * address; anyone else on the network (another guest on the same host, a scanner) connects from
 * others. Limits per source keep one noisy source from taking every slot or every evidence
 * request, a small queue holds connections that arrive while all slots are busy (served fairly:
 * the source with the fewest connections first), and the overall caps bound what many sources can
 * take together. A source is an IPv4 address or an IPv6 /64 (one host usually owns a whole /64).
 *
 * @param maxConnections connections served at once, all sources together
 * @param maxConnectionsPerSource connections one source may have served or queued at once; more are
 *     closed as soon as they are accepted (used as {@code min(this, maxConnections)})
 * @param maxQueuedConnections connections held (not read) while every slot is busy, at most one per
 *     source; each waits at most the read timeout, then is closed; 0 turns the queue off
 * @param evidenceRequestsPerSecond evidence requests answered per second, all sources together (a
 *     token bucket, burst as many); a request beyond it closes its connection before the TEE is asked
 * @param evidenceRequestsPerSecondPerSource the same, for each source on its own (used as
 *     {@code min(this, evidenceRequestsPerSecond)})
 */
public record ConnectionLimits(int maxConnections, int maxConnectionsPerSource, int maxQueuedConnections,
                               int evidenceRequestsPerSecond, int evidenceRequestsPerSecondPerSource) {

    public static final int DEFAULT_MAX_CONNECTIONS = 16;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_SOURCE = 4;
    public static final int DEFAULT_MAX_QUEUED_CONNECTIONS = 8;
    public static final int DEFAULT_EVIDENCE_REQUESTS_PER_SECOND = 20;
    public static final int DEFAULT_EVIDENCE_REQUESTS_PER_SECOND_PER_SOURCE = 5;

    /** Upper bound for {@code maxConnections}: a guest initramfs has little memory to spare. */
    public static final int MAX_MAX_CONNECTIONS = 1024;
    /** Upper bound for {@code maxQueuedConnections}: the queue smooths bursts, it is no second server. */
    public static final int MAX_MAX_QUEUED_CONNECTIONS = 64;
    public static final int MAX_EVIDENCE_REQUESTS_PER_SECOND = 10_000;
    /**
     * Sources the server remembers (for their connection counts and request rates). Sources with
     * nothing open are forgotten, least recently seen first, when a new one would pass this; it is
     * larger than every connection that can be open or queued, so a source with a connection is
     * never forgotten.
     */
    public static final int MAX_TRACKED_SOURCES = 4096;
    /** Bits of an IPv6 address that name its source (the rest the host picks freely). */
    public static final int IPV6_SOURCE_PREFIX_BITS = 64;

    public ConnectionLimits {
        check("maxConnections", maxConnections, 1, MAX_MAX_CONNECTIONS);
        check("maxConnectionsPerSource", maxConnectionsPerSource, 1, MAX_MAX_CONNECTIONS);
        check("maxQueuedConnections", maxQueuedConnections, 0, MAX_MAX_QUEUED_CONNECTIONS);
        check("evidenceRequestsPerSecond", evidenceRequestsPerSecond, 1, MAX_EVIDENCE_REQUESTS_PER_SECOND);
        check("evidenceRequestsPerSecondPerSource", evidenceRequestsPerSecondPerSource, 1,
                MAX_EVIDENCE_REQUESTS_PER_SECOND);
    }

    /** The defaults above. */
    public static ConnectionLimits defaults() {
        return new ConnectionLimits(DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_SOURCE,
                DEFAULT_MAX_QUEUED_CONNECTIONS, DEFAULT_EVIDENCE_REQUESTS_PER_SECOND,
                DEFAULT_EVIDENCE_REQUESTS_PER_SECOND_PER_SOURCE);
    }

    /** Connections one source may hold, never more than all together. */
    public int effectiveConnectionsPerSource() {
        return Math.min(maxConnectionsPerSource, maxConnections);
    }

    /** Evidence requests per second for one source, never more than all together. */
    public int effectiveRequestsPerSecondPerSource() {
        return Math.min(evidenceRequestsPerSecondPerSource, evidenceRequestsPerSecond);
    }

    public ConnectionLimits withMaxConnections(int max) {
        return new ConnectionLimits(max, maxConnectionsPerSource, maxQueuedConnections, evidenceRequestsPerSecond,
                evidenceRequestsPerSecondPerSource);
    }

    public ConnectionLimits withMaxConnectionsPerSource(int max) {
        return new ConnectionLimits(maxConnections, max, maxQueuedConnections, evidenceRequestsPerSecond,
                evidenceRequestsPerSecondPerSource);
    }

    public ConnectionLimits withMaxQueuedConnections(int max) {
        return new ConnectionLimits(maxConnections, maxConnectionsPerSource, max, evidenceRequestsPerSecond,
                evidenceRequestsPerSecondPerSource);
    }

    public ConnectionLimits withEvidenceRequestsPerSecond(int perSecond) {
        return new ConnectionLimits(maxConnections, maxConnectionsPerSource, maxQueuedConnections, perSecond,
                evidenceRequestsPerSecondPerSource);
    }

    public ConnectionLimits withEvidenceRequestsPerSecondPerSource(int perSecond) {
        return new ConnectionLimits(maxConnections, maxConnectionsPerSource, maxQueuedConnections,
                evidenceRequestsPerSecond, perSecond);
    }

    private static void check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " is " + value + "; " + min + " to " + max + " are allowed");
        }
    }
}
