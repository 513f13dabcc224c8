package dev.cvmfde.agent.selftest;

import dev.cvmfde.agent.luks.LuksHeaderPin;
import dev.cvmfde.agent.luks.VolumeKeyFingerprint;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * A LUKS2 header of the shape image-builder writes (one keyslot, one segment, one digest, no
 * tokens), built in memory for the self-test so that the AOT training run of the guest runtime
 * also runs the header validation the agent does before it listens (issue 11 item 4). Nothing in
 * it opens anything: the keyslot area is zeros and the digest is random; {@link #pin()} is the
 * matching {@link LuksHeaderPin} with the fingerprint of a random, discarded volume key.
 */
final class SelfTestHeader {
    static final int METADATA_BYTES = 16384;
    static final int KEY_BYTES = 64;
    static final int AREA_OFFSET = 2 * METADATA_BYTES;
    static final int AREA_BYTES = 258048;
    static final long SEGMENT_OFFSET = 16L << 20;
    private static final int BINARY_BYTES = 4096;
    private static final int OFF_CSUM = 448;
    private static final Map<String, String> KDF = Map.of("type", "pbkdf2", "hash", "sha256", "iterations", "1000");

    private final LuksHeaderPin pin;
    private final byte[] image;

    private SelfTestHeader(LuksHeaderPin pin, byte[] image) {
        this.pin = pin;
        this.image = image;
    }

    /** A header for {@code uuid}, with random salts and a random (discarded) volume key. */
    static SelfTestHeader create(String uuid, java.security.SecureRandom random) {
        byte[] volumeKey = new byte[KEY_BYTES];
        random.nextBytes(volumeKey);
        LuksHeaderPin pin = new LuksHeaderPin(METADATA_BYTES, "aes-xts-plain64", SEGMENT_OFFSET, 512, KEY_BYTES,
                "aes-xts-plain64", "sha256", KDF, VolumeKeyFingerprint.of(volumeKey));
        Arrays.fill(volumeKey, (byte) 0);
        String json = "{\"keyslots\":{\"0\":{\"type\":\"luks2\",\"key_size\":" + KEY_BYTES
                + ",\"af\":{\"type\":\"luks1\",\"stripes\":4000,\"hash\":\"sha256\"}"
                + ",\"area\":{\"type\":\"raw\",\"offset\":\"" + AREA_OFFSET + "\",\"size\":\"" + AREA_BYTES
                + "\",\"encryption\":\"aes-xts-plain64\",\"key_size\":" + KEY_BYTES + "}"
                + ",\"kdf\":{\"type\":\"pbkdf2\",\"hash\":\"sha256\",\"iterations\":1000,\"salt\":\"" + b64(random, 32) + "\"}}}"
                + ",\"tokens\":{}"
                + ",\"segments\":{\"0\":{\"type\":\"crypt\",\"offset\":\"" + SEGMENT_OFFSET
                + "\",\"size\":\"dynamic\",\"iv_tweak\":\"0\",\"encryption\":\"aes-xts-plain64\",\"sector_size\":512}}"
                + ",\"digests\":{\"0\":{\"type\":\"pbkdf2\",\"keyslots\":[\"0\"],\"segments\":[\"0\"],\"hash\":\"sha256\""
                + ",\"iterations\":1000,\"salt\":\"" + b64(random, 32) + "\",\"digest\":\"" + b64(random, 32) + "\"}}"
                + ",\"config\":{\"json_size\":\"" + (METADATA_BYTES - BINARY_BYTES) + "\",\"keyslots_size\":\""
                + (SEGMENT_OFFSET - 2L * METADATA_BYTES) + "\"}}";
        byte[] image = new byte[AREA_OFFSET + AREA_BYTES];
        byte[] salt = new byte[64];
        random.nextBytes(salt);
        binary(image, 0, "LUKS", uuid, salt, json);
        random.nextBytes(salt);
        binary(image, METADATA_BYTES, "SKUL", uuid, salt, json);
        return new SelfTestHeader(pin, image);
    }

    LuksHeaderPin pin() {
        return pin;
    }

    /** Both header copies and the (zero) keyslot area: what a device holding this header starts with. */
    byte[] image() {
        return image.clone();
    }

    private static void binary(byte[] image, int offset, String magic, String uuid, byte[] salt, String json) {
        ByteBuffer b = ByteBuffer.wrap(image, offset, METADATA_BYTES).slice();
        b.put(magic.getBytes(StandardCharsets.US_ASCII)).put((byte) 0xba).put((byte) 0xbe);
        b.putShort((short) 2).putLong(METADATA_BYTES).putLong(1);
        b.position(72).put("sha256".getBytes(StandardCharsets.US_ASCII));
        b.position(104).put(salt);
        b.position(168).put(uuid.getBytes(StandardCharsets.US_ASCII));
        b.position(256).putLong(offset);
        b.position(BINARY_BYTES).put(json.getBytes(StandardCharsets.US_ASCII));
        byte[] copy = Arrays.copyOfRange(image, offset, offset + METADATA_BYTES);
        System.arraycopy(sha256(copy), 0, image, offset + OFF_CSUM, 32);
    }

    private static String b64(java.security.SecureRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    }
}
