package dev.cvmfde.agent.luks;

import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The LUKS2 header the image builder wrote, as recorded in the measured {@code agent.json}: the
 * only shape the agent accepts on the (host-controlled) disk, and the fingerprint of the volume
 * key the keyslot must yield ({@link VolumeKeyFingerprint}). One keyslot, one segment, one
 * digest, no tokens; every field here must equal the header's field of the same name.
 *
 * @param metadataBytes the size of each binary header + JSON area ({@code hdr_size}, 16 KiB by default)
 * @param segmentEncryption segment 0's {@code encryption} ({@code aes-xts-plain64})
 * @param segmentOffset segment 0's {@code offset} in bytes (where the payload starts)
 * @param sectorSize segment 0's {@code sector_size}
 * @param keyBytes the volume key size: keyslot 0's {@code key_size} and its area's {@code key_size}
 * @param keyslotEncryption keyslot 0's {@code area.encryption}
 * @param afHash keyslot 0's {@code af.hash}
 * @param kdf keyslot 0's {@code kdf} object without its {@code salt}, every value as text
 *     ({@code type=pbkdf2, hash=sha512, iterations=1000})
 * @param volumeKeyFingerprint {@link VolumeKeyFingerprint#of} the volume key (32 bytes)
 */
public record LuksHeaderPin(int metadataBytes, String segmentEncryption, long segmentOffset, int sectorSize,
                            int keyBytes, String keyslotEncryption, String afHash, Map<String, String> kdf,
                            byte[] volumeKeyFingerprint) {
    /** LUKS2 {@code hdr_size} values (LUKS2 on-disk format, table 2). */
    public static final java.util.Set<Integer> METADATA_SIZES =
            java.util.Set.of(16384, 32768, 65536, 131072, 262144, 524288, 1048576, 2097152, 4194304);
    /** Largest volume key (cryptsetup's own limit is 512 bytes; XTS-AES-256 uses 64). */
    public static final int MAX_KEY_BYTES = 512;
    /** Largest payload offset accepted (cryptsetup refuses keyslot areas over 128 MiB). */
    public static final long MAX_SEGMENT_OFFSET = 1L << 30;
    private static final Pattern CIPHER = Pattern.compile("[a-z0-9]+(-[a-z0-9:]+){1,3}");
    private static final Pattern KDF_KEY = Pattern.compile("[a-z_]{1,16}");
    private static final Pattern KDF_VALUE = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

    public LuksHeaderPin {
        if (!METADATA_SIZES.contains(metadataBytes)) {
            throw new IllegalArgumentException("luksHeader.metadataBytes is " + metadataBytes + "; one of "
                    + new java.util.TreeSet<>(METADATA_SIZES) + " is required");
        }
        segmentEncryption = cipher("segmentEncryption", segmentEncryption);
        keyslotEncryption = cipher("keyslotEncryption", keyslotEncryption);
        if (segmentOffset < 2L * metadataBytes || segmentOffset > MAX_SEGMENT_OFFSET || segmentOffset % 4096 != 0) {
            throw new IllegalArgumentException("luksHeader.segmentOffset is " + segmentOffset + "; a multiple of 4096 from "
                    + 2L * metadataBytes + " to " + MAX_SEGMENT_OFFSET + " is required");
        }
        if (sectorSize < 512 || sectorSize > 4096 || Integer.bitCount(sectorSize) != 1) {
            throw new IllegalArgumentException("luksHeader.sectorSize is " + sectorSize + "; 512, 1024, 2048 or 4096 is required");
        }
        if (keyBytes < 16 || keyBytes > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("luksHeader.keyBytes is " + keyBytes + "; 16 to " + MAX_KEY_BYTES + " is required");
        }
        if (afHash == null || !afHash.matches("sha(1|256|384|512)")) {
            throw new IllegalArgumentException("luksHeader.afHash is '" + afHash + "'; sha256 or sha512 is expected");
        }
        Objects.requireNonNull(kdf, "luksHeader.kdf");
        if (!kdf.containsKey("type") || kdf.size() > 8 || kdf.containsKey("salt")) {
            throw new IllegalArgumentException("luksHeader.kdf must name its type, hold at most 8 fields and no salt; it holds "
                    + kdf.keySet());
        }
        kdf.forEach((k, v) -> {
            if (!KDF_KEY.matcher(k).matches() || v == null || !KDF_VALUE.matcher(v).matches()) {
                throw new IllegalArgumentException("luksHeader.kdf." + k + " is not a plain field name and value");
            }
        });
        kdf = java.util.Collections.unmodifiableMap(new TreeMap<>(kdf));
        if (volumeKeyFingerprint == null || volumeKeyFingerprint.length != VolumeKeyFingerprint.BYTES) {
            throw new IllegalArgumentException("luksHeader.volumeKeyFingerprint must be " + VolumeKeyFingerprint.BYTES
                    + " bytes (" + VolumeKeyFingerprint.CONTEXT + ")");
        }
        volumeKeyFingerprint = volumeKeyFingerprint.clone();
        for (String cipher : new String[] {segmentEncryption, keyslotEncryption}) {
            if (cipher.contains("null")) {
                throw new IllegalArgumentException("luksHeader names the cipher " + cipher + "; a cipher_null volume is never pinned");
            }
        }
    }

    private static String cipher(String field, String value) {
        if (value == null || !CIPHER.matcher(value).matches()) {
            throw new IllegalArgumentException("luksHeader." + field + " is '" + value + "'; a dm-crypt cipher such as"
                    + " aes-xts-plain64 is required");
        }
        return value;
    }

    @Override
    public byte[] volumeKeyFingerprint() {
        return volumeKeyFingerprint.clone();
    }

    /** The fingerprint in lower-case hex (it reveals nothing about the key: a hash with a context). */
    public String fingerprintHex() {
        return HexFormat.of().formatHex(volumeKeyFingerprint);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LuksHeaderPin p && metadataBytes == p.metadataBytes && segmentOffset == p.segmentOffset
                && sectorSize == p.sectorSize && keyBytes == p.keyBytes && segmentEncryption.equals(p.segmentEncryption)
                && keyslotEncryption.equals(p.keyslotEncryption) && afHash.equals(p.afHash) && kdf.equals(p.kdf)
                && java.util.Arrays.equals(volumeKeyFingerprint, p.volumeKeyFingerprint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(metadataBytes, segmentEncryption, segmentOffset, sectorSize, keyBytes, keyslotEncryption,
                afHash, kdf, java.util.Arrays.hashCode(volumeKeyFingerprint));
    }

    @Override
    public String toString() {
        return "LuksHeaderPin[" + segmentEncryption + ", offset " + segmentOffset + ", sector " + sectorSize + ", "
                + keyBytes + "-byte key, keyslot " + keyslotEncryption + " " + kdf + ", fingerprint " + fingerprintHex() + "]";
    }
}
