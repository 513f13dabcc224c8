package dev.cvmfde.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.agent.AgentOutcome;
import dev.cvmfde.agent.config.AgentConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class FdeAgentCliTest {
    @TempDir
    Path tmp;

    @Test
    void help_listsExitStatuses() {
        StringWriter out = new StringWriter();
        CommandLine cl = FdeAgentCli.commandLine();
        cl.setOut(new PrintWriter(out));

        assertEquals(0, cl.execute("--help"));
        for (String status : new String[] {"  0  ", "  1  ", "  2  ", "  4  ", "  5  ", "  6  "}) {
            assertTrue(out.toString().contains(status), status + " missing:\n" + out);
        }
    }

    @Test
    void run_badConfig_exitsOne() throws Exception {
        Path cfg = Files.writeString(tmp.resolve("agent.json"), "{\"luksUuid\":\"nope\"}");
        Path cmdline = Files.writeString(tmp.resolve("cmdline"), "ro quiet\n");

        assertEquals(AgentOutcome.ERROR, FdeAgentCli.commandLine().execute("--config", cfg.toString(), "--cmdline", cmdline.toString()));
    }

    @Test
    void run_unknownOption_exitsTwo() {
        assertEquals(2, FdeAgentCli.commandLine().execute("--frobnicate"));
    }

    @Test
    void selfTest_loopbackExchange_exitsZero() {
        assertEquals(0, FdeAgentCli.commandLine().execute("self-test"));
    }

    @Test
    void overlay_missingRuntime_exitsOne() throws Exception {
        Path cfg = Files.writeString(tmp.resolve("agent.json"), "{\"luksUuid\":\"0c0ffee0-1234-4abc-8def-0123456789ab\"}");
        Path key = Files.writeString(tmp.resolve("k.pem"), "x");

        assertEquals(1, FdeAgentCli.commandLine().execute("overlay", "--config", cfg.toString(), "--verifier-key", key.toString(),
                "--runtime", tmp.resolve("nope").toString(), "--out", tmp.resolve("out").toString()));
    }

    @Test
    void run_sysrootWithoutVolumeFile_exitsTwo() throws Exception {
        Path cfg = Files.writeString(tmp.resolve("agent.json"), "{\"luksUuid\":\"0c0ffee0-1234-4abc-8def-0123456789ab\"}");
        Path cmdline = Files.writeString(tmp.resolve("cmdline"), "ro quiet\n");

        assertEquals(2, FdeAgentCli.commandLine().execute("--config", cfg.toString(), "--cmdline", cmdline.toString(),
                "--sysroot", tmp.toString()));
    }

    @Test
    void underSysroot_absolutePathsAndSimulatedBootFiles_readUnderTheRoot() throws Exception {
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("run/cvm-fde/simulated-identity"));
        Files.write(root.resolve("run/cvm-fde/simulated-ccel.bin"), new byte[] {1});
        AgentConfig cfg = AgentConfig.defaults("0c0ffee0-1234-4abc-8def-0123456789ab").withProvider("simulated");

        AgentConfig host = FdeAgentCli.underSysroot(cfg, root);

        assertEquals(root.resolve("etc/cvm-fde/verifier.pub.pem"), host.verifierKey());
        assertEquals(Optional.of(root.resolve("run/cvm-fde/simulated-identity")), host.simulatedIdentity());
        assertEquals(Optional.of(root.resolve("run/cvm-fde/simulated-ccel.bin")), host.simulatedEventLog());
        assertEquals(Optional.empty(), FdeAgentCli.underSysroot(cfg.withProvider("tsm"), root).simulatedEventLog());
    }
}
