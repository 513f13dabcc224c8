package dev.cvmfde.client.broker;

import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.WireLimits;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless broker nonces: {@code random(24) ‖ expiry(8, epoch ms, big-endian) ‖ HMAC-SHA256(key,
 * label ‖ random ‖ expiry ‖ imageId)} — exactly the 64 bytes of a CCA challenge. A broker keeps no
 * session: any broker holding the same MAC key (brokers of one store share it) checks a nonce
 * another issued, for the image it was issued for, until it expires. The MAC is compared in
 * constant time.
 *
 * <p>Replaying a nonce inside its window gains nothing: a release is sealed to the ephemeral key
 * bound, with the nonce, into the TEE-signed evidence ({@code challenge = SHA-512(nonce ‖
 * thumbprint)}). Whoever replays recorded evidence gets a release only the holder of that
 * evidence's ephemeral private key (the guest that made it, inside its TEE) can open; fresh
 * evidence for a new key needs the TEE. So a nonce is not single-use, and need not be.
 */
public final class BrokerNonces {
    /** Random bytes per nonce. */
    public static final int RANDOM_BYTES = 24;
    public static final int EXPIRY_BYTES = 8;
    public static final int MAC_BYTES = 32;
    /** The MAC key: 32 random bytes (HMAC-SHA256's block-sized security). */
    public static final int KEY_BYTES = 32;
    public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
    public static final Duration MAX_LIFETIME = Duration.ofMinutes(10);
    private static final byte[] LABEL = "cvm-fde broker nonce v1\0".getBytes(StandardCharsets.US_ASCII);

    static {
        if (RANDOM_BYTES + EXPIRY_BYTES + MAC_BYTES != WireLimits.NONCE_BYTES) {
            throw new ExceptionInInitializerError("nonce layout does not fill the 64-byte challenge");
        }
    }

    /** Why a nonce is not accepted. */
    public enum Problem {
        /** Not 64 bytes. */
        LENGTH,
        /** The MAC does not match: forged, altered, issued for another image or by a broker with another key. */
        MAC,
        /** Past its expiry (or issued with an expiry further ahead than this broker's lifetime allows). */
        EXPIRED
    }

    private final SecretKeySpec key;
    private final Clock clock;
    private final Duration lifetime;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param macKey {@link #KEY_BYTES} bytes; copied (the caller closes its own)
     * @param lifetime how long an issued nonce is accepted, 1 s to {@link #MAX_LIFETIME}
     */
    public BrokerNonces(SecretBytes macKey, Clock clock, Duration lifetime) {
        Objects.requireNonNull(macKey, "macKey");
        if (macKey.length() != KEY_BYTES) {
            throw new IllegalArgumentException("the nonce MAC key holds " + macKey.length() + " bytes; exactly "
                    + KEY_BYTES + " are required");
        }
        if (lifetime == null || lifetime.toSeconds() < 1 || lifetime.compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("nonce lifetime is " + lifetime + "; 1 s to " + MAX_LIFETIME + " is allowed");
        }
        this.key = macKey.use(bytes -> new SecretKeySpec(bytes, "HmacSHA256"));
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lifetime = lifetime;
    }

    /** A fresh nonce for {@code imageId}, valid for the lifetime from now. */
    public byte[] issue(String imageId) {
        byte[] nonce = new byte[WireLimits.NONCE_BYTES];
        byte[] r = new byte[RANDOM_BYTES];
        random.nextBytes(r);
        System.arraycopy(r, 0, nonce, 0, RANDOM_BYTES);
        long expiry = clock.instant().plus(lifetime).toEpochMilli();
        ByteBuffer.wrap(nonce, RANDOM_BYTES, EXPIRY_BYTES).putLong(expiry);
        byte[] mac = mac(nonce, imageId);
        System.arraycopy(mac, 0, nonce, RANDOM_BYTES + EXPIRY_BYTES, MAC_BYTES);
        return nonce;
    }

    /** Empty if {@code nonce} was issued (by a broker with this key) for {@code imageId} and has not expired. */
    public Optional<Problem> check(byte[] nonce, String imageId) {
        if (nonce == null || nonce.length != WireLimits.NONCE_BYTES) {
            return Optional.of(Problem.LENGTH);
        }
        byte[] expected = mac(nonce, imageId);
        byte[] given = Arrays.copyOfRange(nonce, RANDOM_BYTES + EXPIRY_BYTES, WireLimits.NONCE_BYTES);
        if (!MessageDigest.isEqual(expected, given)) {
            return Optional.of(Problem.MAC);
        }
        Instant expiry = Instant.ofEpochMilli(ByteBuffer.wrap(nonce, RANDOM_BYTES, EXPIRY_BYTES).getLong());
        Instant now = clock.instant();
        if (now.isAfter(expiry) || expiry.isAfter(now.plus(MAX_LIFETIME))) {
            return Optional.of(Problem.EXPIRED);
        }
        return Optional.empty();
    }

    /** When {@code nonce} expires (its MAC unchecked; for messages only). */
    public static Instant expiryOf(byte[] nonce) {
        return Instant.ofEpochMilli(ByteBuffer.wrap(nonce, RANDOM_BYTES, EXPIRY_BYTES).getLong());
    }

    private byte[] mac(byte[] nonce, String imageId) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(key);
            hmac.update(LABEL);
            hmac.update(nonce, 0, RANDOM_BYTES + EXPIRY_BYTES);
            hmac.update(imageId.getBytes(StandardCharsets.UTF_8));
            return hmac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "BrokerNonces[HMAC-SHA256, lifetime " + lifetime + "]";
    }
}
