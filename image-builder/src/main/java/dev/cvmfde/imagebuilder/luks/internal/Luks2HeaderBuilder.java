package dev.cvmfde.imagebuilder.luks.internal;

import dev.cvmfde.imagebuilder.luks.HashAlgorithm;
import dev.cvmfde.imagebuilder.luks.KdfSpec;
import dev.cvmfde.imagebuilder.luks.LuksOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Lays out a LUKS2 header as cryptsetup writes it: a primary and a secondary binary header
 * (each {@link LuksOptions#LUKS2_METADATA_BYTES}: 4 KiB binary part + JSON area), each with a
 * SHA-256 checksum over the whole copy with the checksum field zeroed, then keyslot 0's area,
 * then the payload at the data offset. JSON keys are written in cryptsetup's order.
 */
public final class Luks2HeaderBuilder {

    static final byte[] MAGIC_PRIMARY = {'L', 'U', 'K', 'S', (byte) 0xba, (byte) 0xbe};
    static final byte[] MAGIC_SECONDARY = {'S', 'K', 'U', 'L', (byte) 0xba, (byte) 0xbe};
    static final int BINARY_HEADER_BYTES = 4096;
    static final int OFF_LABEL = 24;
    static final int OFF_CHECKSUM_ALG = 72;
    static final int OFF_SALT = 104;
    static final int OFF_UUID = 168;
    static final int OFF_HDR_OFFSET = 256;
    static final int OFF_CSUM = 448;
    static final int HEADER_SALT_BYTES = 64;
    public static final String CIPHER = "aes-xts-plain64";
    /** A freshly formatted header's sequence id; both copies carry the same one. */
    static final long SEQID = 1;

    private Luks2HeaderBuilder() {
    }

    public static HeaderImage build(LuksOptions options, UUID uuid, SealedKeyslot slot, VolumeKeyDigest digest,
                                    SecureRandom random) {
        int hdrSize = LuksOptions.LUKS2_METADATA_BYTES;
        long keyslotsSize = options.dataOffset() - 2L * hdrSize;
        String json = json(options, slot, digest, hdrSize, keyslotsSize);
        byte[] jsonBytes = json.getBytes(StandardCharsets.UTF_8);
        if (jsonBytes.length >= hdrSize - BINARY_HEADER_BYTES) {
            throw new IllegalStateException("LUKS2 JSON of " + jsonBytes.length + " bytes does not fit the "
                    + (hdrSize - BINARY_HEADER_BYTES) + "-byte area");
        }
        byte[] primary = binaryHeader(MAGIC_PRIMARY, 0, options, uuid, jsonBytes, random);
        byte[] secondary = binaryHeader(MAGIC_SECONDARY, hdrSize, options, uuid, jsonBytes, random);
        byte[] area = new byte[LuksOptions.KEYSLOT_AREA_BYTES];
        System.arraycopy(slot.material(), 0, area, 0, slot.material().length);
        return new HeaderImage(options.dataOffset(), List.of(
                new HeaderImage.Piece(0, primary),
                new HeaderImage.Piece(hdrSize, secondary),
                new HeaderImage.Piece(2L * hdrSize, area)));
    }

    private static byte[] binaryHeader(byte[] magic, long hdrOffset, LuksOptions options, UUID uuid,
                                       byte[] json, SecureRandom random) {
        int hdrSize = LuksOptions.LUKS2_METADATA_BYTES;
        ByteBuffer b = ByteBuffer.allocate(hdrSize);
        b.put(magic).putShort((short) 2).putLong(hdrSize).putLong(SEQID);
        if (options.label() != null) {
            b.put(OFF_LABEL, options.label().getBytes(StandardCharsets.UTF_8));
        }
        b.put(OFF_CHECKSUM_ALG, "sha256".getBytes(StandardCharsets.US_ASCII));
        byte[] salt = new byte[HEADER_SALT_BYTES];
        random.nextBytes(salt);
        b.put(OFF_SALT, salt);
        b.put(OFF_UUID, uuid.toString().getBytes(StandardCharsets.US_ASCII));
        b.putLong(OFF_HDR_OFFSET, hdrOffset);
        b.put(BINARY_HEADER_BYTES, json);
        byte[] bytes = b.array();
        b.put(OFF_CSUM, sha256(bytes));
        return bytes;
    }

    private static String json(LuksOptions o, SealedKeyslot slot, VolumeKeyDigest digest, int hdrSize, long keyslotsSize) {
        int keyBytes = LuksOptions.VOLUME_KEY_BYTES;
        String keyslot = "{\"type\":\"luks2\",\"key_size\":" + keyBytes
                + ",\"af\":{\"type\":\"luks1\",\"stripes\":" + LuksOptions.AF_STRIPES + ",\"hash\":\"" + slot.afHash().luksName() + "\"}"
                + ",\"area\":{\"type\":\"raw\",\"offset\":\"" + (2L * hdrSize) + "\",\"size\":\"" + LuksOptions.KEYSLOT_AREA_BYTES
                + "\",\"encryption\":\"" + CIPHER + "\",\"key_size\":" + keyBytes + "}"
                + ",\"kdf\":" + kdfJson(slot.kdf(), slot.salt()) + "}";
        String segment = "{\"type\":\"crypt\",\"offset\":\"" + o.dataOffset() + "\",\"size\":\"dynamic\",\"iv_tweak\":\"0\""
                + ",\"encryption\":\"" + CIPHER + "\",\"sector_size\":" + o.sectorSize() + "}";
        String digestJson = "{\"type\":\"pbkdf2\",\"keyslots\":[\"0\"],\"segments\":[\"0\"],\"hash\":\"" + digest.hash().luksName()
                + "\",\"iterations\":" + digest.iterations() + ",\"salt\":\"" + b64(digest.salt())
                + "\",\"digest\":\"" + b64(digest.digest()) + "\"}";
        return "{\"keyslots\":{\"0\":" + keyslot + "},\"tokens\":{},\"segments\":{\"0\":" + segment
                + "},\"digests\":{\"0\":" + digestJson + "},\"config\":{\"json_size\":\"" + (hdrSize - BINARY_HEADER_BYTES)
                + "\",\"keyslots_size\":\"" + keyslotsSize + "\"}}";
    }

    private static String kdfJson(KdfSpec kdf, byte[] salt) {
        return switch (kdf) {
            case KdfSpec.Pbkdf2 p -> "{\"type\":\"pbkdf2\",\"hash\":\"" + p.hash().luksName() + "\",\"iterations\":"
                    + p.iterations() + ",\"salt\":\"" + b64(salt) + "\"}";
            case KdfSpec.Argon2id a -> "{\"type\":\"argon2id\",\"time\":" + a.iterations() + ",\"memory\":" + a.memoryKiB()
                    + ",\"cpus\":" + a.parallelism() + ",\"salt\":\"" + b64(salt) + "\"}";
        };
    }

    /** The anti-forensic/digest hash cryptsetup pairs with a KDF: PBKDF2's own, else SHA-256. */
    public static HashAlgorithm hashFor(KdfSpec kdf) {
        return switch (kdf) {
            case KdfSpec.Pbkdf2 p -> p.hash();
            case KdfSpec.Argon2id a -> HashAlgorithm.SHA256;
        };
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    }
}
