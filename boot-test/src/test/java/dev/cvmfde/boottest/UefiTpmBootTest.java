package dev.cvmfde.boottest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12's proof by genuine measurement, run by {@code ./mvnw verify}: {@code boot-test/uefi-tpm.sh}
 * boots the encrypted sample guest through OVMF, Debian's signed shim and grub with a swtpm TPM (no
 * direct kernel boot). The genuine image gets its key from a release that verified the TPM quote, the
 * event log and hash.json, and its root unlocks; three images the host tampered on the clear boot
 * partition (grub.cfg, initramfs, kernel; the baseline untouched) are each refused at that
 * component, the root stays locked and the guest powers itself off. One built guest serves all four
 * twins; the script prints its progress and, when a twin fails, its release output and console.
 */
@Tag("boot")
class UefiTpmBootTest {
    /** Golden boot (first run only) + four UEFI TCG boots (the tampered three in parallel) + builds. */
    static final long SCRIPT_TIMEOUT_MINUTES = 60;
    static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(SCRIPT_TIMEOUT_MINUTES);

    @Test
    @Timeout(value = SCRIPT_TIMEOUT_MINUTES + 5, unit = TimeUnit.MINUTES)
    void boot_uefiTpmGenuineAndThreeTamperedImages_onlyTheGenuineUnlocks() throws Exception {
        String all = BootTest.runScript("boot-test/uefi-tpm.sh", "uefi-tpm-work", SCRIPT_TIMEOUT);
        assertTrue(all.contains("golden boot: the allow-list passes"), "no check of the golden boot's real event log");
        assertTrue(all.contains("genuine twin PASSED"), "no genuine twin result in the output");
        for (String t : List.of("grubcfg", "initramfs", "kernel")) {
            assertTrue(all.contains("tampered twin " + t + " PASSED"), "no result of the tampered " + t + " twin");
        }
    }
}
