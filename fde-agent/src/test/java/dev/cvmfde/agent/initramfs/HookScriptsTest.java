package dev.cvmfde.agent.initramfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hook scripts parse (sh -n / bash -n), pass shellcheck when it is installed (CI installs
 * Debian's shellcheck), use only tools the sample guest's initramfs has, and behave: the
 * finished hook is true only for status 0.
 */
class HookScriptsTest {
    /** Tools docs/boot-chain.md lists as absent from the initramfs. */
    private static final Pattern MISSING_TOOLS = Pattern.compile("\\b(cut|head|tail|nc|curl|openssl|awk|dirname|basename)\\b");

    @TempDir
    Path tmp;

    private static String run(Path dir, String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue() + ":" + out;
    }

    private Path write(String name) throws Exception {
        Path f = tmp.resolve(name);
        Files.write(f, AgentOverlay.hookScript(name));
        return f;
    }

    @Test
    void hookScripts_syntaxAndShellcheck_clean() throws Exception {
        List<String> names = new ArrayList<>(AgentOverlay.HOOKS.keySet());
        for (String name : names) {
            Path f = write(name);
            assertEquals("0:", run(tmp, "sh", "-n", f.toString()), name);
            assertEquals("0:", run(tmp, "bash", "-n", f.toString()), name);
            String body = Files.readString(f).replaceAll("(?m)#.*$", "");
            assertFalse(MISSING_TOOLS.matcher(body).find(), name + " uses a tool the initramfs lacks");
        }
        Path module = write("module-setup.sh");
        assertEquals("0:", run(tmp, "bash", "-n", module.toString()));
        if (Files.isExecutable(Path.of("/usr/bin/shellcheck"))) {
            for (String name : names) {
                assertEquals("0:", run(tmp, "shellcheck", "-s", "sh", name), name);
            }
            assertEquals("0:", run(tmp, "shellcheck", "-s", "bash", "module-setup.sh"));
        }
    }

    @Test
    void finishedHook_statusFile_trueOnlyForZero() throws Exception {
        Path hook = write("cvmfde-finished.sh");
        Path run = Files.createDirectories(tmp.resolve("run/cvm-fde"));
        String script = Files.readString(hook).replace("/run/cvm-fde", run.toString());
        Files.writeString(hook, script);

        assertTrue(run(tmp, "bash", hook.toString()).startsWith("1:"), "no status yet");
        Files.writeString(run.resolve("status"), "4\n");
        assertTrue(run(tmp, "bash", hook.toString()).startsWith("1:"), "agent failed");
        Files.writeString(run.resolve("status"), "0\n");
        assertEquals("0:", run(tmp, "bash", hook.toString()));
    }

    @Test
    void onlineHook_startsAgentOnceAndRecordsStatus() throws Exception {
        Path hook = write("cvmfde-online.sh");
        Path run = tmp.resolve("run/cvm-fde");
        Path agent = tmp.resolve("agent.sh");
        Path console = tmp.resolve("console");
        Files.writeString(agent, "#!/bin/sh\necho agent-ran \"$@\" >> " + tmp.resolve("runs") + "\nexit 4\n");
        agent.toFile().setExecutable(true);
        Files.writeString(hook, Files.readString(hook).replace("/run/cvm-fde", run.toString())
                .replace("/usr/lib/cvm-fde/runtime/bin/fde-agent", agent.toString()).replace("> /dev/console", ">> " + console));

        String twice = ". " + hook + " enp0s2; . " + hook + " enp0s3; wait";
        assertEquals("0:", run(tmp, "bash", "-c", twice));

        assertEquals(1, Files.readAllLines(tmp.resolve("runs")).size(), "started once");
        assertEquals("4", Files.readString(run.resolve("status")).strip());
        assertTrue(Files.readString(console).contains("network is up on enp0s2"));
    }
}
