package dev.cvmfde.agent.initramfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
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
 * The hook scripts parse (sh -n / bash -n), pass shellcheck (required: Debian's shellcheck, which
 * .ci/run installs), use only tools the sample guest's initramfs has, and behave: the
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
        requireShellcheck();
        for (String name : names) {
            assertEquals("0:", run(tmp, "shellcheck", "-s", "sh", name), name);
        }
        assertEquals("0:", run(tmp, "shellcheck", "-s", "bash", "module-setup.sh"));
    }

    /** A missing linter fails the test (it used to skip the lint silently). */
    private void requireShellcheck() throws Exception {
        try {
            run(tmp, "shellcheck", "--version");
        } catch (IOException e) {
            fail("shellcheck is not installed, so the hook scripts cannot be linted: install the Debian package"
                    + " shellcheck (.ci/run does) [" + e.getMessage() + "]");
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

    @Test
    void onlineHook_simulatedProvider_copiesBootPartitionFilesPrivately() throws Exception {
        Path esp = Files.createDirectories(tmp.resolve("esp/cvm-fde/simulated-identity"));
        Files.writeString(esp.resolve("simulated-cpak.private.jwk"), "{}");
        Files.writeString(esp.getParent().resolve("simulated-ccel.bin"), "log");
        Path run = onlineHookWithFakeTools("{\"luksUuid\": \"u\", \"provider\": \"simulated\"}");

        assertEquals("0:", run(tmp, "bash", "-c", "PATH=" + tmp.resolve("bin") + ":$PATH; . " + tmp.resolve("hook.sh") + " enp0s2; wait"));

        assertEquals("log", Files.readString(run.resolve("simulated-ccel.bin")));
        Path key = run.resolve("simulated-identity/simulated-cpak.private.jwk");
        assertTrue(Files.exists(key), "identity copied");
        assertFalse(Files.getPosixFilePermissions(key).stream().anyMatch(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS")),
                "only the owner may read the copied identity (the simulated provider refuses anything else)");
        assertTrue(Files.readString(tmp.resolve("tools.log")).contains("umount"), "the boot partition is unmounted again");
    }

    @Test
    void onlineHook_realProvider_neverTouchesBootPartition() throws Exception {
        Files.createDirectories(tmp.resolve("esp/cvm-fde"));
        Files.writeString(tmp.resolve("esp/cvm-fde/simulated-ccel.bin"), "log");
        Path run = onlineHookWithFakeTools("{\"luksUuid\": \"u\", \"provider\": \"tsm\"}");

        assertEquals("0:", run(tmp, "bash", "-c", "PATH=" + tmp.resolve("bin") + ":$PATH; . " + tmp.resolve("hook.sh") + " enp0s2; wait"));

        assertFalse(Files.exists(run.resolve("simulated-ccel.bin")));
        assertFalse(Files.exists(tmp.resolve("tools.log")), "blkid/mount were run for a real TEE");
        assertEquals("0", Files.readString(run.resolve("status")).strip());
    }

    /** The online hook with its paths under tmp, a fake agent (exit 0) and fake blkid/mount/umount over tmp/esp. */
    private Path onlineHookWithFakeTools(String agentJson) throws Exception {
        Path run = tmp.resolve("run/cvm-fde");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path config = tmp.resolve("agent.json");
        Files.writeString(config, agentJson);
        String toolsLog = tmp.resolve("tools.log").toString();
        fakeTool(bin.resolve("blkid"), "echo blkid \"$*\" >> " + toolsLog + "; echo /dev/fake1");
        // mount -t vfat -o ro DEV DIR: the partition's files appear under DIR
        fakeTool(bin.resolve("mount"), "echo mount \"$*\" >> " + toolsLog + "; cp -r " + tmp.resolve("esp") + "/. \"$6\"/");
        fakeTool(bin.resolve("umount"), "echo umount \"$*\" >> " + toolsLog + "; rm -rf \"$1\"/cvm-fde");
        fakeTool(tmp.resolve("agent.sh"), "exit 0");
        Files.writeString(tmp.resolve("hook.sh"), new String(AgentOverlay.hookScript("cvmfde-online.sh"), StandardCharsets.UTF_8)
                .replace("/run/cvm-fde", run.toString()).replace("/etc/cvm-fde/agent.json", config.toString())
                .replace("/usr/lib/cvm-fde/runtime/bin/fde-agent", tmp.resolve("agent.sh").toString())
                .replace("/dev/console", tmp.resolve("console").toString()));
        return run;
    }

    private static void fakeTool(Path file, String body) throws Exception {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        assertTrue(file.toFile().setExecutable(true));
    }
}
