package dev.cvmfde.imagebuilder.luks;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * What container to write: LUKS version, keyslot KDF, encryption sector size, where the
 * encrypted payload starts (the header size), and optionally label and UUID. The cipher is
 * always aes-xts-plain64 with a 512-bit volume key. Checked at construction: an instance is a
 * layout cryptsetup accepts.
 *
 * @param dataOffset bytes from the container start to the first payload byte; everything
 *                   before it (binary headers, JSON, keyslot area) is the "header"
 * @param label      LUKS2 label (≤ 47 bytes), or null
 * @param uuid       container UUID, or null for a random one
 */
public record LuksOptions(Version version, KdfSpec kdf, int sectorSize, long dataOffset, String label, UUID uuid) {

    /** The LUKS on-disk format versions we write. */
    public enum Version { LUKS1, LUKS2 }

    public static final long MIB = 1024 * 1024;
    /** cryptsetup's LUKS2 default data offset (16 MiB). */
    public static final long LUKS2_DEFAULT_DATA_OFFSET = 16 * MIB;
    /** IBM's whole-disk images: a constant 4 MiB header in front of the payload. */
    public static final long WHOLE_DISK_DATA_OFFSET = 4 * MIB;
    /** cryptsetup/qemu-img LUKS1 layout for a 512-bit key: payload at 4096 sectors. */
    public static final long LUKS1_DEFAULT_DATA_OFFSET = 2 * MIB;
    /** Size of each LUKS2 binary header + JSON area (cryptsetup's default metadata size). */
    public static final int LUKS2_METADATA_BYTES = 16 * 1024;
    /** cryptsetup refuses LUKS2 keyslot areas above 128 MiB. */
    public static final long LUKS2_MAX_KEYSLOTS_BYTES = 128 * MIB;
    /** Volume key: AES-256-XTS, two 256-bit keys. */
    public static final int VOLUME_KEY_BYTES = 64;
    /** Anti-forensic stripes per keyslot (LUKS standard). */
    public static final int AF_STRIPES = 4000;
    /** One keyslot's area: 64 × 4000 bytes in 512-byte sectors, aligned to 4 KiB. */
    public static final int KEYSLOT_AREA_BYTES = alignUp(VOLUME_KEY_BYTES * AF_STRIPES, 4096);
    /** LUKS1 has eight keyslot areas of this stride after the 4 KiB-aligned phdr. */
    public static final int LUKS1_KEYSLOTS = 8;
    static final int LUKS2_LABEL_MAX_BYTES = 47;

    public LuksOptions {
        if (version == null || kdf == null) {
            throw new IllegalArgumentException("LUKS version and KDF are required");
        }
        if (sectorSize != 512 && sectorSize != 4096) {
            throw new IllegalArgumentException("sector size " + sectorSize + "; 512 or 4096 are allowed");
        }
        if (dataOffset <= 0 || dataOffset % Math.max(sectorSize, 4096) != 0) {
            throw new IllegalArgumentException("data offset " + dataOffset + " bytes; a positive multiple of "
                    + Math.max(sectorSize, 4096) + " is required");
        }
        if (dataOffset < minDataOffset(version)) {
            throw new IllegalArgumentException("data offset " + dataOffset + " bytes is too small for the "
                    + version + " header with one 512-bit keyslot; at least " + minDataOffset(version) + " is required");
        }
        switch (version) {
            case LUKS1 -> checkLuks1(kdf, sectorSize, dataOffset, label);
            case LUKS2 -> checkLuks2(dataOffset, label);
        }
    }

    private static void checkLuks1(KdfSpec kdf, int sectorSize, long dataOffset, String label) {
        if (!(kdf instanceof KdfSpec.Pbkdf2)) {
            throw new IllegalArgumentException("LUKS1 keyslots use pbkdf2 only; " + kdf.luksName() + " needs LUKS2");
        }
        if (sectorSize != 512) {
            throw new IllegalArgumentException("LUKS1 encrypts 512-byte sectors only; " + sectorSize + " needs LUKS2");
        }
        if (dataOffset / 512 > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("LUKS1 data offset " + dataOffset + " does not fit its 32-bit sector field");
        }
        if (label != null) {
            throw new IllegalArgumentException("LUKS1 has no label field; use LUKS2 for a label");
        }
    }

    private static void checkLuks2(long dataOffset, String label) {
        if (dataOffset - 2L * LUKS2_METADATA_BYTES > LUKS2_MAX_KEYSLOTS_BYTES) {
            throw new IllegalArgumentException("LUKS2 data offset " + dataOffset + " leaves a keyslot area over "
                    + LUKS2_MAX_KEYSLOTS_BYTES + " bytes, which cryptsetup refuses");
        }
        if (label != null) {
            byte[] bytes = label.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > LUKS2_LABEL_MAX_BYTES) {
                throw new IllegalArgumentException("LUKS2 label holds " + bytes.length + " bytes; at most "
                        + LUKS2_LABEL_MAX_BYTES + " are allowed");
            }
            if (label.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException("LUKS2 label contains a control character");
            }
        }
    }

    /** Smallest header that holds the metadata and one keyslot, rounded to 4 KiB. */
    public static long minDataOffset(Version version) {
        return switch (version) {
            case LUKS1 -> alignUp(4096L + (long) LUKS1_KEYSLOTS * KEYSLOT_AREA_BYTES, 4096);
            case LUKS2 -> 2L * LUKS2_METADATA_BYTES + KEYSLOT_AREA_BYTES;
        };
    }

    /** LUKS2, PBKDF2-SHA512 × 1000 (the random-key default), 512-byte sectors, 16 MiB header. */
    public static LuksOptions luks2() {
        return new LuksOptions(Version.LUKS2, KdfSpec.forRandomKey(), 512, LUKS2_DEFAULT_DATA_OFFSET, null, null);
    }

    /** LUKS1 as qemu-img reads it: PBKDF2-SHA256 × 1000, payload at 2 MiB. */
    public static LuksOptions luks1() {
        return new LuksOptions(Version.LUKS1, new KdfSpec.Pbkdf2(HashAlgorithm.SHA256, KdfSpec.PBKDF2_MIN_ITERATIONS),
                512, LUKS1_DEFAULT_DATA_OFFSET, null, null);
    }

    public LuksOptions withKdf(KdfSpec newKdf) {
        return new LuksOptions(version, newKdf, sectorSize, dataOffset, label, uuid);
    }

    public LuksOptions withSectorSize(int newSectorSize) {
        return new LuksOptions(version, kdf, newSectorSize, dataOffset, label, uuid);
    }

    /** Header size = data offset; {@link #WHOLE_DISK_DATA_OFFSET} for IBM's whole-disk images. */
    public LuksOptions withDataOffset(long newDataOffset) {
        return new LuksOptions(version, kdf, sectorSize, newDataOffset, label, uuid);
    }

    public LuksOptions withLabel(String newLabel) {
        return new LuksOptions(version, kdf, sectorSize, dataOffset, newLabel, uuid);
    }

    public LuksOptions withUuid(UUID newUuid) {
        return new LuksOptions(version, kdf, sectorSize, dataOffset, label, newUuid);
    }

    /** Size of a container holding {@code payloadBytes} (already a multiple of the sector size). */
    public long containerSize(long payloadBytes) {
        return Math.addExact(dataOffset, payloadBytes);
    }

    /**
     * Payload size for IBM's whole-disk images: the container (header + payload) is the plain
     * image plus the header, rounded up to whole MiB; the tail beyond the image is encrypted
     * zeros. Example: 42949017600 bytes with the 4 MiB header give a 42953867264-byte container.
     */
    public long payloadRoundedToMiB(long plaintextBytes) {
        return alignUp(Math.addExact(dataOffset, plaintextBytes), MIB) - dataOffset;
    }

    /** Rounds {@code bytes} up to whole encryption sectors. */
    public long roundUpToSector(long bytes) {
        return Math.ceilDiv(bytes, sectorSize) * sectorSize;
    }

    static int alignUp(int value, int alignment) {
        return Math.ceilDiv(value, alignment) * alignment;
    }

    static long alignUp(long value, long alignment) {
        return Math.ceilDiv(value, alignment) * alignment;
    }
}
