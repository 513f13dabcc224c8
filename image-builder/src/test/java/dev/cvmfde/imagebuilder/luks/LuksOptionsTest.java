package dev.cvmfde.imagebuilder.luks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LuksOptionsTest {

    /** IBM's documented example: 42949017600 B + 4 MiB header → 40964 MiB encrypted image. */
    @Test
    void payloadRoundedToMiB_ibmExample_containerIs40964MiB() {
        LuksOptions options = LuksOptions.luks2().withDataOffset(LuksOptions.WHOLE_DISK_DATA_OFFSET);
        long payload = options.payloadRoundedToMiB(42_949_017_600L);
        assertEquals(40964L * LuksOptions.MIB, options.containerSize(payload));
        assertEquals(0, payload % options.sectorSize());
    }

    @Test
    void minDataOffset_oneKeyslot_matchesCryptsetupLayout() {
        assertEquals(2 * 16384 + 258048, LuksOptions.minDataOffset(LuksOptions.Version.LUKS2));
        assertEquals(4096 + 8 * 258048, LuksOptions.minDataOffset(LuksOptions.Version.LUKS1));
    }

    @Test
    void defaults_randomKeyKdf_isSystemdCryptenrollMinimal() {
        assertEquals(new KdfSpec.Pbkdf2(HashAlgorithm.SHA512, 1000), LuksOptions.luks2().kdf());
        assertEquals(16L * LuksOptions.MIB, LuksOptions.luks2().dataOffset());
        assertEquals(512, LuksOptions.luks2().sectorSize());
    }
}
