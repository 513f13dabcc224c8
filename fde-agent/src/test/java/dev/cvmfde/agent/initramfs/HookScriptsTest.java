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

    /** Strings that start or unlock a shell; none may appear in any file of the dracut module. */
    private static final List<String> SHELL_OPENERS = List.of("emergency_shell", "rd.shell=1", "sulogin", "getty",
            "setsid", "sh -i", "bash -i", "echo 0 > /run/cvm-fde/status");
    private static final List<String> MODULE_FILES = List.of("cvmfde-online.sh", "cvmfde-finished.sh", "cvmfde-settled.sh",
            "cvmfde-timeout.sh", "cvmfde-emergency.sh", "cvmfde-poweroff.sh", "cvmfde-no-debug-shell.conf", "module-setup.sh");

    @Test
    void moduleFiles_noShellOpener_none() throws Exception {
        for (String name : MODULE_FILES) {
            String body = new String(AgentOverlay.hookScript(name), StandardCharsets.UTF_8);
            for (String opener : SHELL_OPENERS) {
                assertFalse(body.contains(opener), name + " contains '" + opener + "'");
            }
        }
    }

    @Test
    void poweroffScript_syntaxAndShellcheck_clean() throws Exception {
        Path f = write("cvmfde-poweroff.sh");
        assertEquals("0:", run(tmp, "sh", "-n", f.toString()));
        assertEquals("0:", run(tmp, "bash", "-n", f.toString()));
        assertFalse(MISSING_TOOLS.matcher(Files.readString(f).replaceAll("(?m)#.*$", "")).find());
        if (Files.isExecutable(Path.of("/usr/bin/shellcheck"))) {
            assertEquals("0:", run(tmp, "shellcheck", "-s", "sh", f.getFileName().toString()));
        }
    }

    /**
     * systemctl and poweroff that do not power anything off: the script must go on to SysRq and
     * then wait forever (the fake sleep kills the script at that point: status 137), never return.
     */
    @Test
    void poweroffScript_everyWayFails_saysWhyTriesAllThenWaitsNeverReturns() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        String log = tmp.resolve("calls.log").toString();
        fakeTool(bin.resolve("systemctl"), "echo systemctl \"$*\" >> " + log + "; exit 1");
        fakeTool(bin.resolve("poweroff"), "echo poweroff \"$*\" >> " + log + "; exit 1");
        fakeTool(bin.resolve("sleep"), "echo sleep \"$*\" >> " + log + "; [ \"$1\" = 3600 ] && kill -9 $PPID; exit 0");
        Path sysrq = tmp.resolve("sysrq-trigger");
        Path console = tmp.resolve("console");
        Path script = tmp.resolve("poweroff.sh");
        Files.writeString(script, new String(AgentOverlay.hookScript("cvmfde-poweroff.sh"), StandardCharsets.UTF_8)
                .replace("/dev/console", console.toString()).replace("/proc/sysrq-trigger", sysrq.toString()));

        String result = run(tmp, "bash", "-c", "PATH=" + bin + ":$PATH; sh " + script + " 'the test said so'; echo ENDED $?");

        assertTrue(result.contains("ENDED 137"), "the power-off script returned instead of waiting: " + result);
        assertEquals("cvm-fde: ROOT STAYS LOCKED: the test said so; powering off (no shell)", Files.readString(console).strip());
        assertEquals(List.of("sleep 2", "systemctl --force --force poweroff", "poweroff -f", "sleep 3600"),
                Files.readAllLines(Path.of(log)));
        assertEquals("o", Files.readString(sysrq).strip());
    }

    @Test
    void settledHook_anyStatusButZero_powersOffWithReason() throws Exception {
        for (String status : List.of("4", "1", "134", "")) {
            String calls = hookWithFakePoweroff("cvmfde-settled.sh", status, true, null);
            assertTrue(calls.startsWith("poweroff "), "status '" + status + "': " + calls);
            assertTrue(calls.contains("fde-agent exit status " + (status.isEmpty() ? "unknown" : status)), calls);
        }
        assertTrue(hookWithFakePoweroff("cvmfde-settled.sh", "4", true, null).contains("no verifier released a working key"));
        assertEquals("", hookWithFakePoweroff("cvmfde-settled.sh", "0", true, null), "unlocked: boot continues");
        assertEquals("", hookWithFakePoweroff("cvmfde-settled.sh", null, true, null), "agent still running");
    }

    @Test
    void timeoutHook_agentNeverStartedOrVanished_powersOff() throws Exception {
        assertTrue(hookWithFakePoweroff("cvmfde-timeout.sh", null, false, null).contains("the network did not come online"));
        String vanished = hookWithFakePoweroff("cvmfde-timeout.sh", null, true, "2147483646");
        assertTrue(vanished.contains("ended without an exit status"), vanished);
    }

    @Test
    void timeoutHook_agentStillRunning_keepsInitqueueWaiting() throws Exception {
        String calls = hookWithFakePoweroff("cvmfde-timeout.sh", null, true, String.valueOf(ProcessHandle.current().pid()));
        assertEquals("", calls);
        assertTrue(Files.exists(tmp.resolve("hooks/initqueue/work")), "work queued so dracut keeps waiting");
    }

    @Test
    void emergencyHook_sourced_powersOff() throws Exception {
        String calls = hookWithFakePoweroff("cvmfde-emergency.sh", null, false, null);
        assertTrue(calls.contains("dracut entered its emergency path"), calls);
    }

    /**
     * Sources {@code hook} as dracut does, with /run/cvm-fde under tmp holding the given status
     * (null: none), started flag and pid (null: none), and /usr/lib/cvm-fde/poweroff replaced by a
     * fake that records its argument and returns. What the fake recorded ("" if it never ran).
     */
    private String hookWithFakePoweroff(String hook, String status, boolean started, String pid) throws Exception {
        Path run = Files.createDirectories(Files.createTempDirectory(tmp, "run").resolve("cvm-fde"));
        if (status != null) {
            Files.writeString(run.resolve("status"), status + "\n");
        }
        if (started) {
            Files.writeString(run.resolve("started"), "");
        }
        if (pid != null) {
            Files.writeString(run.resolve("pid"), pid + "\n");
        }
        Path calls = run.resolve("poweroff.calls");
        Path fake = tmp.resolve("fake-poweroff");
        fakeTool(fake, "echo poweroff \"$*\" >> \"$CVMFDE_CALLS\"");
        Files.createDirectories(tmp.resolve("hooks/initqueue"));
        Path script = run.resolve("hook.sh");
        Files.writeString(script, new String(AgentOverlay.hookScript(hook), StandardCharsets.UTF_8)
                .replace("/run/cvm-fde", run.toString()).replace("/usr/lib/cvm-fde/poweroff", fake.toString())
                .replace("/dev/console", tmp.resolve("console").toString()));
        String result = run(tmp, "bash", "-c", "export CVMFDE_CALLS=" + calls + "; hookdir=" + tmp.resolve("hooks")
                + "; . " + script);
        assertTrue(result.startsWith("0:"), hook + ": " + result);
        return Files.exists(calls) ? Files.readString(calls).strip() : "";
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
