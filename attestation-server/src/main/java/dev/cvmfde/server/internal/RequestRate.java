package dev.cvmfde.server.internal;

import java.time.Duration;

/**
 * A token bucket over evidence requests: each request costs a key generation and a TEE call, so
 * a peer reconnecting in a loop must not turn the guest into a token oracle or starve the verifier
 * that matters. {@link SourceLimiter} keeps one per source and one over all sources. Refill is
 * continuous; the burst equals the per-second rate.
 */
public final class RequestRate {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    public RequestRate(int perSecond, long nowNanos) {
        this.perNano = perSecond / (double) Duration.ofSeconds(1).toNanos();
        this.burst = perSecond;
        this.tokens = perSecond;
        this.last = nowNanos;
    }

    /** Takes one request's token if there is one. */
    public synchronized boolean tryAcquire(long nowNanos) {
        tokens = Math.min(burst, tokens + (nowNanos - last) * perNano);
        last = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
