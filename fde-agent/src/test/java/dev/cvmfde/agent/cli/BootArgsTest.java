package dev.cvmfde.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.agent.AgentOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BootArgsTest {
    @TempDir
    Path tmp;

    @Test
    void parse_bootForms_sameFieldsAsPicocli() {
        List<String[]> forms = List.of(new String[0],
                new String[] {"--config", "/etc/cvm-fde/agent.json"},
                new String[] {"--config=/x/agent.json"},
                new String[] {"--cmdline", "/tmp/c", "--config", "a.json"},
                new String[] {"--config", "a b.json", "--cmdline=/proc/cmdline"});
        for (String[] args : forms) {
            Optional<FdeAgentCli> fast = BootArgs.parse(args);
            FdeAgentCli viaPicocli = new FdeAgentCli();
            new CommandLine(viaPicocli).parseArgs(args);

            assertTrue(fast.isPresent(), String.join(" ", args));
            assertEquals(viaPicocli.config, fast.get().config, String.join(" ", args));
            assertEquals(viaPicocli.cmdline, fast.get().cmdline, String.join(" ", args));
        }
    }

    @Test
    void parse_anythingElse_leftToPicocli() {
        List<String[]> others = List.of(new String[] {"--help"}, new String[] {"-h"}, new String[] {"--version"},
                new String[] {"self-test"}, new String[] {"overlay", "--config", "a"}, new String[] {"--config"},
                new String[] {"--config", "a", "--config", "b"}, new String[] {"--config="},
                new String[] {"--config", "--cmdline"}, new String[] {"--config", "@args"}, new String[] {"@args"},
                new String[] {"--conf", "a"}, new String[] {"--", "--config", "a"}, new String[] {"--config", "a\0b"},
                new String[] {"--frobnicate"}, new String[] {"--config", "a", "extra"});
        for (String[] args : others) {
            assertTrue(BootArgs.parse(args).isEmpty(), String.join(" ", args));
        }
    }

    @Test
    void runAtBoot_badConfig_exitsOneLikePicocli() throws Exception {
        Path cfg = Files.writeString(tmp.resolve("agent.json"), "{\"luksUuid\":\"nope\"}");
        Path cmdline = Files.writeString(tmp.resolve("cmdline"), "ro quiet\n");
        String[] args = {"--config", cfg.toString(), "--cmdline", cmdline.toString()};

        assertEquals(AgentOutcome.ERROR, BootArgs.parse(args).orElseThrow().runAtBoot());
        assertEquals(AgentOutcome.ERROR, FdeAgentCli.commandLine().execute(args));
    }
}
