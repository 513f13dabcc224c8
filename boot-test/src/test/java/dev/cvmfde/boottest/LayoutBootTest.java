package dev.cvmfde.boottest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
        Path repo = BootTest.repositoryRoot();
        Path work = repo.resolve("boot-test/target/layout-boot-work");
        BootTest.deleteTree(work);
        Files.createDirectories(work);
        Path script = repo.resolve("boot-test/layouts.sh");
        assertTrue(Files.isExecutable(script), script + " is missing or not executable");
        Path output = work.resolve("run.log");
        Process p = new ProcessBuilder(script.toString(), "--work", work.resolve("w").toString(),
                "--layouts", String.join(" ", LAYOUTS))
                .directory(repo.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        List<String> shown = new ArrayList<>();
        boolean finished = false;
        long deadline = System.nanoTime() + SCRIPT_TIMEOUT.toNanos();
        while (!finished && System.nanoTime() < deadline) {
            finished = p.waitFor(5, TimeUnit.SECONDS);
            BootTest.echoNewLines(output, shown);
        }
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
            fail("boot-test/layouts.sh did not finish within " + SCRIPT_TIMEOUT + "; its output ends:\n"
                    + BootTest.tail(shown));
        }
        BootTest.echoNewLines(output, shown);
        assertEquals(0, p.exitValue(), () -> "boot-test/layouts.sh failed; its output ends:\n" + BootTest.tail(shown));
        String all = String.join("\n", shown);
        for (String layout : LAYOUTS) {
            assertTrue(all.contains(layout + " PASSED: released (exit 0), CVMFDE-MARKER: root is /dev/mapper/encroot"),
                    "no passing verdict for " + layout);
        }
    }
}
