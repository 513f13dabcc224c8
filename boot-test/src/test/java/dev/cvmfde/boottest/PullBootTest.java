package dev.cvmfde.boottest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14's pull-mode twin: {@code boot-test/pull.sh} boots an encrypted guest whose measured
 * agent.json names a broker; the broker ({@code attestation-client serve}) runs on the host and the
 * guest fetches its key by itself, with no operator command. The script reuses the guest, runtime
 * and keys {@link BootTest} built when they are there ({@code --reuse}), else builds them.
 */
@Tag("boot")
class PullBootTest {
    static final long SCRIPT_TIMEOUT_MINUTES = 30;

    @Test
    @Timeout(value = SCRIPT_TIMEOUT_MINUTES + 5, unit = TimeUnit.MINUTES)
    void boot_pullModeImage_fetchesItsKeyFromTheBrokerWithNoOperatorCommand() throws Exception {
        Path repo = Path.of("").toAbsolutePath();
        while (!Files.exists(repo.resolve("boot-test/pull.sh"))) {
            repo = repo.getParent();
        }
        Path work = repo.resolve("boot-test/target/pull-test-work");
        Files.createDirectories(work);
        Path output = work.resolve("pull.log");
        Process p = new ProcessBuilder(repo.resolve("boot-test/pull.sh").toString(), "--work", work.resolve("w").toString(),
                "--reuse", repo.resolve("boot-test/target/boot-test-work/w").toString())
                .directory(repo.toFile()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!p.waitFor(SCRIPT_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        lines.forEach(System.out::println);
        String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 150), lines.size()));
        assertEquals(0, p.isAlive() ? -1 : p.exitValue(), () -> "boot-test/pull.sh failed or timed out:\n" + tail);
        assertTrue(lines.stream().anyMatch(l -> l.contains("pull twin PASSED")), () -> "no pull twin result:\n" + tail);
    }
}
