package dev.cvmfde.boottest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@code ./demo --no-qemu} runs, without a kernel: {@code boot-test/run.sh --twin none}
 * makes and encrypts the sample guest exactly as for the boot test, then
 * {@code boot-test/host-run.sh} runs the real fde-agent ({@code --volume-file}) against the
 * image's root LUKS partition on this host. The genuine release must be checked by cryptsetup
 * (a wrong key first refused), the decrypted file system must equal the original root, and the
 * tampered baseline must be refused (client exit 3) with the agent giving up (exit 4); a header
 * swapped for a cipher_null one with the image's UUID must be refused by the agent (exit 7). About
 * 1-2 minutes with the sample guest's cache warm.
 */
@Tag("boot")
class HostRunTest {
    static final long STEP_TIMEOUT_MINUTES = 20;
    static final Duration STEP_TIMEOUT = Duration.ofMinutes(STEP_TIMEOUT_MINUTES);

    @Test
    // two steps (prepare, host run), each with its own deadline, beyond the build's 5-minute default
    @Timeout(value = 2 * STEP_TIMEOUT_MINUTES + 5, unit = TimeUnit.MINUTES)
    void hostRun_noKernel_keyOpensVolumeOnlyForTheGenuineBaseline() throws Exception {
        Path repo = repositoryRoot();
        Path target = repo.resolve("boot-test/target/host-run-work");
        deleteTree(target);
        Files.createDirectories(target);
        Path work = target.resolve("w");

        String prepare = run(repo, target.resolve("prepare.log"), "boot-test/run.sh", "--work", work.toString(), "--twin", "none");
        assertTrue(prepare.contains("prepared (no boot, --twin none)"), prepare);
        String host = run(repo, target.resolve("host-run.log"), "boot-test/host-run.sh", "--work", work.toString());

        assertTrue(host.contains("genuine: PASSED"), host);
        assertTrue(host.contains("file system: the payload decrypts to the sample guest's root partition byte for byte"), host);
        assertTrue(host.contains("tampered: PASSED"), host);
        assertTrue(host.contains("NO KERNEL was booted"), host);
        String wrong = Files.readString(work.resolve("host-genuine.wrong-key.out"));
        assertTrue(wrong.contains("the guest reports (unauthenticated): unlock failed") && wrong.contains("cryptsetup status 2"), wrong);
        String right = Files.readString(work.resolve("host-genuine.right-key.out"));
        assertTrue(right.contains("VERDICT: AFFIRMING"), right);
        assertTrue(right.contains("RELEASED: every check passed") && right.contains("the guest reports (unauthenticated): unlocked")
                && right.contains("volume key fingerprint matches"), right);
        String genuineAgent = Files.readString(work.resolve("host-genuine.agent.log"));
        assertTrue(genuineAgent.contains("key OK: it opens the LUKS volume"), genuineAgent);
        String tampered = Files.readString(work.resolve("host-tampered.tampered.out"));
        assertTrue(tampered.contains("REFUSED") && tampered.contains("boot-components"), tampered);
        String tamperedAgent = Files.readString(work.resolve("host-tampered.agent.log"));
        assertTrue(tamperedAgent.contains("GIVING UP: verifier"), tamperedAgent);
        assertFalse(tamperedAgent.contains("key released by the verifier"), tamperedAgent);
        assertFalse(Files.exists(work.resolve("host/vk")), "the volume key's temp directory was left behind");
        // the header swap: cipher_null segment, the image's UUID, the host's root behind it
        assertTrue(host.contains("header-swap: PASSED"), host);
        String swapAgent = Files.readString(work.resolve("host-header-swap.agent.log"));
        assertTrue(swapAgent.contains("REFUSED: LUKS header: segments.0.encryption: cipher_null-ecb"), swapAgent);
        assertFalse(swapAgent.contains("key OK"), swapAgent);
        assertFalse(swapAgent.contains("key released by the verifier"), swapAgent);
    }

    /** Runs a script from the repository root; its output (stdout + stderr) is echoed and returned; exit 0 required. */
    private static String run(Path repo, Path log, String... command) throws Exception {
        String[] argv = command.clone();
        argv[0] = repo.resolve(command[0]).toString();
        Process p = new ProcessBuilder(argv).directory(repo.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
            fail(command[0] + " did not finish within " + STEP_TIMEOUT + ":\n" + Files.readString(log));
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        System.out.print(out);
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed:\n" + out);
        return out;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("boot-test/host-run.sh"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            fail("cannot find boot-test/host-run.sh above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
