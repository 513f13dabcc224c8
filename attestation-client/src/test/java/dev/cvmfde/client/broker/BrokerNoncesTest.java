package dev.cvmfde.client.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cvmfde.protocol.secret.SecretBytes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BrokerNoncesTest {
    private static final Instant T0 = Instant.parse("2026-12-06T04:00:00Z");

    private static BrokerNonces nonces(byte fill, Instant now) {
        byte[] key = new byte[BrokerNonces.KEY_BYTES];
        java.util.Arrays.fill(key, fill);
        try (SecretBytes s = SecretBytes.copyOf(key)) {
            return new BrokerNonces(s, Clock.fixed(now, ZoneOffset.UTC), Duration.ofSeconds(60));
        }
    }

    @Test
    void check_issuedBySameKeyForSameImage_accepted() {
        byte[] nonce = nonces((byte) 1, T0).issue("web-01");
        assertEquals(64, nonce.length);
        assertEquals(Optional.empty(), nonces((byte) 1, T0.plusSeconds(59)).check(nonce, "web-01"));
    }

    @Test
    void check_otherImage_refusedAtMac() {
        byte[] nonce = nonces((byte) 1, T0).issue("web-01");
        assertEquals(Optional.of(BrokerNonces.Problem.MAC), nonces((byte) 1, T0).check(nonce, "web-02"));
    }

    @Test
    void check_otherBrokerKey_refusedAtMac() {
        byte[] nonce = nonces((byte) 1, T0).issue("web-01");
        assertEquals(Optional.of(BrokerNonces.Problem.MAC), nonces((byte) 2, T0).check(nonce, "web-01"));
    }

    @Test
    void check_anyByteAltered_refusedAtMac() {
        BrokerNonces n = nonces((byte) 1, T0);
        byte[] nonce = n.issue("web-01");
        for (int i = 0; i < nonce.length; i++) {
            byte[] altered = nonce.clone();
            altered[i] ^= 1;
            assertEquals(Optional.of(BrokerNonces.Problem.MAC), n.check(altered, "web-01"), "byte " + i);
        }
    }

    @Test
    void check_afterExpiry_refusedAsExpired() {
        byte[] nonce = nonces((byte) 1, T0).issue("web-01");
        assertEquals(Optional.of(BrokerNonces.Problem.EXPIRED), nonces((byte) 1, T0.plusSeconds(61)).check(nonce, "web-01"));
    }

    @Test
    void check_expiryFurtherAheadThanAnyLifetime_refusedAsExpired() {
        // a nonce issued by a broker whose clock ran far ahead must not live for hours here
        byte[] nonce = nonces((byte) 1, T0.plus(Duration.ofHours(2))).issue("web-01");
        assertEquals(Optional.of(BrokerNonces.Problem.EXPIRED), nonces((byte) 1, T0).check(nonce, "web-01"));
    }

    @Test
    void check_wrongLength_refused() {
        assertEquals(Optional.of(BrokerNonces.Problem.LENGTH), nonces((byte) 1, T0).check(new byte[63], "web-01"));
    }

    @Test
    void issue_twice_differs() {
        BrokerNonces n = nonces((byte) 1, T0);
        assertFalse(java.util.Arrays.equals(n.issue("a"), n.issue("a")));
    }

    @Test
    void constructor_shortKey_refused() {
        try (SecretBytes s = SecretBytes.copyOf(new byte[16])) {
            assertThrows(IllegalArgumentException.class, () -> new BrokerNonces(s, Clock.systemUTC(), Duration.ofSeconds(60)));
        }
    }
}
