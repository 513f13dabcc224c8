package dev.cvmfde.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.server.ConnectionLimits;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SourceLimiterTest {

    @Test
    void sourceOf_ipv6_groupedByItsSlash64() throws Exception {
        assertEquals(InetAddress.getByName("2001:db8:1:2::"), SourceLimiter.sourceOf(InetAddress.getByName("2001:db8:1:2:aaaa:bbbb:cccc:dddd")));
        assertEquals(InetAddress.getByName("192.0.2.7"), SourceLimiter.sourceOf(InetAddress.getByName("192.0.2.7")));
    }

    @Test
    void arrive_manyIpv6AddressesOfOneSlash64_limitedAsOneSource() throws Exception {
        SourceLimiter<String> limiter = new SourceLimiter<>(ConnectionLimits.defaults(), System.nanoTime());
        int perSource = ConnectionLimits.DEFAULT_MAX_CONNECTIONS_PER_SOURCE;
        for (int i = 0; i < perSource; i++) {
            assertInstanceOf(SourceLimiter.Admission.Serve.class,
                    limiter.arrive(InetAddress.getByName("2001:db8::" + Integer.toHexString(i + 1)), "c" + i));
        }
        assertInstanceOf(SourceLimiter.Admission.Refused.class, limiter.arrive(InetAddress.getByName("2001:db8::ffff"), "x"));
    }

    @Test
    void trackedSources_moreDistinctSourcesThanTheLimit_staysBounded() throws Exception {
        SourceLimiter<String> limiter = new SourceLimiter<>(ConnectionLimits.defaults(), System.nanoTime());
        for (int i = 0; i < ConnectionLimits.MAX_TRACKED_SOURCES + 500; i++) {
            InetAddress a = InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
            limiter.arrive(a, "c" + i);
            limiter.tryEvidenceRequest(a, System.nanoTime());
            limiter.leave(a, "c" + i);
        }
        assertTrue(limiter.trackedSources() <= ConnectionLimits.MAX_TRACKED_SOURCES, "tracked " + limiter.trackedSources());
        assertEquals(0, limiter.activeConnections());
    }

    @Test
    void leave_queuedConnectionCloses_itsPlaceIsFreed() throws Exception {
        SourceLimiter<String> limiter = new SourceLimiter<>(ConnectionLimits.defaults().withMaxConnections(1), System.nanoTime());
        InetAddress a = InetAddress.getByName("192.0.2.1");
        InetAddress b = InetAddress.getByName("192.0.2.2");
        assertInstanceOf(SourceLimiter.Admission.Serve.class, limiter.arrive(a, "a"));
        assertInstanceOf(SourceLimiter.Admission.Queued.class, limiter.arrive(b, "b1"));
        assertInstanceOf(SourceLimiter.Admission.Refused.class, limiter.arrive(b, "b2"));
        assertTrue(limiter.leave(b, "b1").isEmpty());
        assertEquals(0, limiter.queuedConnections());
        assertInstanceOf(SourceLimiter.Admission.Queued.class, limiter.arrive(b, "b3"));
        assertEquals("b3", limiter.leave(a, "a").orElseThrow());
        assertEquals(1, limiter.activeConnections());
    }
}
