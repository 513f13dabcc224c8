package dev.cvmfde.agent.unlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.agent.LuksFixture;
import dev.cvmfde.agent.luks.LuksHeaderPin;
import dev.cvmfde.agent.luks.VolumeKeyFingerprint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The volume-key fingerprint check: real {@code cryptsetup luksDump --dump-volume-key} on a
 * real LUKS2 file (no device-mapper here), and device-mapper table lines as
 * {@code dmsetup table --showkeys} prints them for dm-crypt.
 */
@Timeout(120)
class VolumeKeyCheckTest {
    private static final byte[] KEY = HexFormat.of().parseHex("00112233445566778899aabbccddeeff".repeat(4));
    private static final LuksHeaderPin PIN = LuksFixture.pinFor(VolumeKeyFingerprint.of(KEY));
    private final VolumeKeyCheck check = new VolumeKeyCheck(Duration.ofSeconds(60));

    @TempDir
    Path tmp;

    @Test
    void dump_rightPassphraseRecordedKey_opened() throws Exception {
        LuksFixture luks = LuksFixture.format(tmp.resolve("disk.img"));

        UnlockResult r = check.dump(luks.file, luks.key, luks.pin);
        assertInstanceOf(UnlockResult.Opened.class, r);
    }

    @Test
    void dump_volumeKeyOfAnotherVolume_refusedNamingTheVolumeKey() throws Exception {
        // the host's volume, sealed to the same passphrase (a key file reused across images)
        LuksFixture genuine = LuksFixture.format(tmp.resolve("genuine.img"));
        LuksFixture hosts = LuksFixture.format(tmp.resolve("hosts.img"), genuine.uuid, genuine.key);

        UnlockResult r = check.dump(hosts.file, genuine.key, genuine.pin);
        UnlockResult.VolumeRefused refused = assertInstanceOf(UnlockResult.VolumeRefused.class, r);
        assertEquals("volume key", refused.field());
        assertTrue(refused.message().contains(genuine.pin.fingerprintHex().substring(0, 16)), refused.message());
    }

    @Test
    void dump_wrongPassphrase_refusedWithStatus2() throws Exception {
        LuksFixture luks = LuksFixture.format(tmp.resolve("disk.img"));
        byte[] wrong = luks.key.clone();
        wrong[0] ^= 1;

        UnlockResult.Refused r = assertInstanceOf(UnlockResult.Refused.class, check.dump(luks.file, wrong, luks.pin));
        assertEquals(2, r.exitStatus());
        assertTrue(r.message().contains("No key available"), r.message());
    }

    @Test
    void checkTable_recordedKeyCipherAndOffset_opened() {
        assertInstanceOf(UnlockResult.Opened.class, VolumeKeyCheck.checkTable(table("aes-xts-plain64", hex(KEY), 32768, ""), PIN));
    }

    @Test
    void checkTable_otherKey_refused() {
        byte[] other = KEY.clone();
        other[63] ^= 1;

        UnlockResult.VolumeRefused r = assertInstanceOf(UnlockResult.VolumeRefused.class,
                VolumeKeyCheck.checkTable(table("aes-xts-plain64", hex(other), 32768, ""), PIN));
        assertEquals("volume key", r.field());
    }

    @Test
    void checkTable_cipherNullMapping_refused() {
        UnlockResult.VolumeRefused r = assertInstanceOf(UnlockResult.VolumeRefused.class,
                VolumeKeyCheck.checkTable(table("cipher_null-ecb", "-", 32768, ""), PIN));
        assertEquals("mapping.cipher", r.field());
    }

    @Test
    void checkTable_otherOffsetOrSectorSize_refused() {
        assertEquals("mapping.offset", ((UnlockResult.VolumeRefused) VolumeKeyCheck.checkTable(
                table("aes-xts-plain64", hex(KEY), 4096, ""), PIN)).field());
        assertEquals("mapping.options", ((UnlockResult.VolumeRefused) VolumeKeyCheck.checkTable(
                table("aes-xts-plain64", hex(KEY), 32768, " 1 sector_size:4096"), PIN)).field());
    }

    @Test
    void checkTable_keyInKernelKeyring_refusedAskingForDisableKeyring() {
        UnlockResult.VolumeRefused r = assertInstanceOf(UnlockResult.VolumeRefused.class, VolumeKeyCheck.checkTable(
                table("aes-xts-plain64", ":64:logon:cryptsetup:0c0ffee0-d0", 32768, ""), PIN));
        assertTrue(r.message().contains("--disable-keyring"), r.message());
    }

    @Test
    void checkTable_twoTargets_refused() {
        String two = new String(table("aes-xts-plain64", hex(KEY), 32768, ""), StandardCharsets.US_ASCII).repeat(2);
        assertInstanceOf(UnlockResult.VolumeRefused.class, VolumeKeyCheck.checkTable(two.getBytes(StandardCharsets.US_ASCII), PIN));
    }

    private static byte[] table(String cipher, String key, long offsetSectors, String options) {
        return ("0 8192 crypt " + cipher + " " + key + " 0 7:3 " + offsetSectors + options + "\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
