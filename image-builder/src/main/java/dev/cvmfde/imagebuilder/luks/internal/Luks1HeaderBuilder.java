package dev.cvmfde.imagebuilder.luks.internal;

import dev.cvmfde.imagebuilder.luks.KdfSpec;
import dev.cvmfde.imagebuilder.luks.LuksOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * Lays out a LUKS1 header (the 592-byte phdr, big-endian) as cryptsetup and qemu-img write it:
 * cipher "aes" / "xts-plain64", eight keyslot descriptors of which slot 0 is enabled, keyslot
 * areas of 504 sectors from sector 8, the payload at the data offset.
 */
public final class Luks1HeaderBuilder {

    static final int PHDR_BYTES = 592;
    static final int OFF_PAYLOAD = 104;
    static final int OFF_KEYSLOTS = 208;
    static final int KEYSLOT_DESCRIPTOR_BYTES = 48;
    static final int KEY_ENABLED = 0x00AC71F3;
    static final int KEY_DISABLED = 0x0000DEAD;
    /** LUKS1 stores a 20-byte volume-key digest whatever the hash. */
    public static final int DIGEST_BYTES = 20;

    private Luks1HeaderBuilder() {
    }

    public static HeaderImage build(LuksOptions options, UUID uuid, SealedKeyslot slot, VolumeKeyDigest digest) {
        KdfSpec.Pbkdf2 kdf = (KdfSpec.Pbkdf2) slot.kdf();
        ByteBuffer b = ByteBuffer.allocate(PHDR_BYTES);
        b.put(Luks2HeaderBuilder.MAGIC_PRIMARY).putShort((short) 1);
        b.put(8, ascii("aes")).put(40, ascii("xts-plain64")).put(72, ascii(kdf.hash().luksName()));
        b.putInt(OFF_PAYLOAD, (int) (options.dataOffset() / 512));
        b.putInt(108, LuksOptions.VOLUME_KEY_BYTES);
        b.put(112, digest.digest());
        b.put(132, digest.salt());
        b.putInt(164, digest.iterations());
        b.put(168, ascii(uuid.toString()));
        for (int i = 0; i < LuksOptions.LUKS1_KEYSLOTS; i++) {
            int at = OFF_KEYSLOTS + i * KEYSLOT_DESCRIPTOR_BYTES;
            b.putInt(at, i == 0 ? KEY_ENABLED : KEY_DISABLED);
            if (i == 0) {
                b.putInt(at + 4, kdf.iterations());
                b.put(at + 8, slot.salt());
            }
            b.putInt(at + 40, (int) (keyslotOffset(i) / 512));
            b.putInt(at + 44, LuksOptions.AF_STRIPES);
        }
        return new HeaderImage(options.dataOffset(), List.of(
                new HeaderImage.Piece(0, b.array()),
                new HeaderImage.Piece(keyslotOffset(0), slot.material())));
    }

    /** Keyslot areas: 4 KiB-aligned, {@link LuksOptions#KEYSLOT_AREA_BYTES} apart, from 4 KiB. */
    public static long keyslotOffset(int slot) {
        return 4096L + (long) slot * LuksOptions.KEYSLOT_AREA_BYTES;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
