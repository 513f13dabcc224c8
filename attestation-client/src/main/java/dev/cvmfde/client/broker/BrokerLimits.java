package dev.cvmfde.client.broker;

import dev.cvmfde.protocol.wire.WireLimits;

/**
 * What one broker lets its peers use, each a named bound. A source is an IPv4 address or an IPv6
 * /64. Connections beyond {@code maxConnections} or {@code maxConnectionsPerSource} are closed as
 * soon as they are accepted; a request whose body would take the bytes buffered by all requests
 * together past {@code maxBufferedBytes}, or that finds the appraisal queue full, is answered
 * {@code 503} with {@code Retry-After} (guests back off and retry), so the heap a broker needs is
 * bounded whatever its peers do.
 *
 * @param maxConnections connections open at once, all sources together
 * @param maxConnectionsPerSource connections one source may hold open
 * @param maxRequestBytes the largest request body (an evidence message with its event log)
 * @param maxBufferedBytes request bodies buffered at once, all connections together
 * @param appraisalThreads threads that verify evidence and seal releases
 * @param maxQueuedAppraisals appraisals waiting for a thread; more are answered 503
 */
public record BrokerLimits(int maxConnections, int maxConnectionsPerSource, int maxRequestBytes, long maxBufferedBytes,
        int appraisalThreads, int maxQueuedAppraisals) {

    public static final int DEFAULT_MAX_CONNECTIONS = 4096;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_SOURCE = 8;
    /** An evidence frame (token, event log, chain in base64url JSON). */
    public static final int DEFAULT_MAX_REQUEST_BYTES = WireLimits.MAX_EVIDENCE_FRAME_BYTES;
    public static final long DEFAULT_MAX_BUFFERED_BYTES = 64L * 1024 * 1024;
    public static final int DEFAULT_MAX_QUEUED_APPRAISALS = 1024;
    public static final int MAX_MAX_CONNECTIONS = 65_536;
    public static final int MAX_APPRAISAL_THREADS = 256;
    public static final int MAX_MAX_QUEUED_APPRAISALS = 65_536;

    public BrokerLimits {
        check("maxConnections", maxConnections, 1, MAX_MAX_CONNECTIONS);
        check("maxConnectionsPerSource", maxConnectionsPerSource, 1, MAX_MAX_CONNECTIONS);
        check("maxRequestBytes", maxRequestBytes, 1024, WireLimits.MAX_EVIDENCE_FRAME_BYTES);
        if (maxBufferedBytes < maxRequestBytes || maxBufferedBytes > 16L * 1024 * 1024 * 1024) {
            throw new IllegalArgumentException("maxBufferedBytes is " + maxBufferedBytes + "; maxRequestBytes ("
                    + maxRequestBytes + ") to 16 GiB is allowed");
        }
        check("appraisalThreads", appraisalThreads, 1, MAX_APPRAISAL_THREADS);
        check("maxQueuedAppraisals", maxQueuedAppraisals, 1, MAX_MAX_QUEUED_APPRAISALS);
    }

    /** The defaults above, one appraisal thread per processor. */
    public static BrokerLimits defaults() {
        return new BrokerLimits(DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_SOURCE, DEFAULT_MAX_REQUEST_BYTES,
                DEFAULT_MAX_BUFFERED_BYTES, Math.min(MAX_APPRAISAL_THREADS, Runtime.getRuntime().availableProcessors()),
                DEFAULT_MAX_QUEUED_APPRAISALS);
    }

    public BrokerLimits withMaxConnectionsPerSource(int max) {
        return new BrokerLimits(maxConnections, max, maxRequestBytes, maxBufferedBytes, appraisalThreads,
                maxQueuedAppraisals);
    }

    public BrokerLimits withMaxBufferedBytes(long max) {
        return new BrokerLimits(maxConnections, maxConnectionsPerSource, maxRequestBytes, max, appraisalThreads,
                maxQueuedAppraisals);
    }

    public BrokerLimits withAppraisals(int threads, int maxQueued) {
        return new BrokerLimits(maxConnections, maxConnectionsPerSource, maxRequestBytes, maxBufferedBytes, threads,
                maxQueued);
    }

    public BrokerLimits withMaxConnections(int max) {
        return new BrokerLimits(max, maxConnectionsPerSource, maxRequestBytes, maxBufferedBytes, appraisalThreads,
                maxQueuedAppraisals);
    }

    private static void check(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " is " + value + "; " + min + " to " + max + " are allowed");
        }
    }
}
