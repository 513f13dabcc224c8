package dev.cvmfde.boottest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13's layout proof, run by {@code ./mvnw verify}: {@code boot-test/layouts.sh} builds the
 * ext4-/boot, Debian-cloud and BLS sample guests, encrypts each with image-builder (partitions
 * found by type and content), boots the kernel, initramfs and command line image-builder wrote to
 * each boot partition under QEMU TCG and releases the key from the host; each guest must mount the
 * dm-crypt root. The script prints a verdict table and, when a layout fails, the tail of its
 * serial console.
 */
@Tag("boot")
class LayoutBootTest {
    /** Three TCG boots (~1-3 min each on a loaded 2-core machine) plus builds. */
    static final long SCRIPT_TIMEOUT_MINUTES = 45;
    static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(SCRIPT_TIMEOUT_MINUTES);
    static final List<String> LAYOUTS = List.of("ext4-boot", "debian-cloud", "bls");

    @Test
    @Timeout(value = SCRIPT_TIMEOUT_MINUTES + 5, unit = TimeUnit.MINUTES)
    void boot_encryptedLayoutGuests_eachUnlocksItsDmCryptRoot() throws Exception {
        String all = BootTest.runScript("boot-test/layouts.sh", "layout-boot-work", SCRIPT_TIMEOUT, "--layouts", String.join(" ", LAYOUTS));
        for (String layout : LAYOUTS) {
            assertTrue(all.contains(layout + " PASSED: released (exit 0), CVMFDE-MARKER: root is /dev/mapper/encroot"),
                    "no passing verdict for " + layout);
        }
    }
}
