package dev.cvmfde.boottest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13's arm64 proof, run by {@code ./mvnw verify}: {@code boot-test/arm64.sh} builds the
 * aarch64 sample guest (trixie's arm64 kernel stored gzip'd, an initramfs from trixie's arm64
 * dracut) and the aarch64 guest runtime, checks that hash.json holds the decompressed Image's
 * digest, that image-builder refuses the x86-64 runtime for this guest, encrypts it with the
 * arm64 runtime, boots it under {@code qemu-system-aarch64 -M virt -cpu max} (TCG) and releases
 * the key from the host; the guest must mount the dm-crypt root.
 */
@Tag("boot")
class Arm64BootTest {
    /** First run: downloads, dracut and the AOT training under qemu-user (~10-15 min), one TCG boot. */
    static final long SCRIPT_TIMEOUT_MINUTES = 50;
    static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(SCRIPT_TIMEOUT_MINUTES);

    @Test
    @Timeout(value = SCRIPT_TIMEOUT_MINUTES + 5, unit = TimeUnit.MINUTES)
    void boot_encryptedArm64Guest_releasedAndUnlocksItsDmCryptRoot() throws Exception {
        String all = BootTest.runScript("boot-test/arm64.sh", "arm64-boot-work", SCRIPT_TIMEOUT);
        assertTrue(all.contains("x86-64 runtime on the arm64 guest refused"), "no architecture refusal");
        assertTrue(all.contains("hash.json kernel = sha256(gunzip vmlinuz-"), "no decompressed-Image digest check");
        assertTrue(all.contains("arm64 boot test PASSED: released (exit 0), CVMFDE-MARKER: root is /dev/mapper/encroot"),
                "no passing verdict");
    }
}
