package dev.cvmfde.agent.unlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.agent.LuksFixture;
import dev.cvmfde.agent.config.AgentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real cryptsetup reading the key from the pipe. */
class UnlockCommandTest {
    @TempDir
    Path tmp;

    @Test
    void run_rightKeyOnPipe_opened() throws Exception {
        LuksFixture luks = LuksFixture.format(tmp.resolve("disk.img"));
        UnlockCommand cmd = new UnlockCommand(AgentConfig.TEST_PASSPHRASE_COMMAND, Duration.ofSeconds(60));

        assertInstanceOf(UnlockResult.Opened.class, cmd.run(luks.file, "encroot", luks.file, luks.key));
    }

    @Test
    void run_wrongKey_refusedWithCryptsetupMessage() throws Exception {
        LuksFixture luks = LuksFixture.format(tmp.resolve("disk.img"));
        byte[] wrong = luks.key.clone();
        wrong[63] ^= 0x40;

        UnlockResult r = new UnlockCommand(AgentConfig.TEST_PASSPHRASE_COMMAND, Duration.ofSeconds(60))
                .run(luks.file, "encroot", luks.file, wrong);
        UnlockResult.Refused refused = assertInstanceOf(UnlockResult.Refused.class, r);
        assertEquals(2, refused.exitStatus());
        assertTrue(refused.message().contains("No key available"), refused.message());
    }

    @Test
    void run_keyIsWholeStdin_notAFile() throws Exception {
        // cat echoes exactly what the pipe held; the key never touches the disk
        Path out = tmp.resolve("seen");
        UnlockCommand cmd = new UnlockCommand(List.of("sh", "-c", "cat > " + out + "; test -n {device}"), Duration.ofSeconds(30));
        byte[] key = {0, 1, 2, 10, 13, (byte) 0xff};

        assertInstanceOf(UnlockResult.Opened.class, cmd.run(Path.of("/dev/null"), "x", Path.of("/dev/null"), key));
        org.junit.jupiter.api.Assertions.assertArrayEquals(key, Files.readAllBytes(out));
    }

    @Test
    void run_commandHangs_timedOut() throws Exception {
        UnlockResult r = new UnlockCommand(List.of("sh", "-c", "sleep 30", "{device}"), Duration.ofMillis(300))
                .run(Path.of("/dev/null"), "x", Path.of("/dev/null"), new byte[] {1});

        assertEquals(UnlockCommand.TIMED_OUT, assertInstanceOf(UnlockResult.Refused.class, r).exitStatus());
    }

    @Test
    void run_missingProgram_refused() throws Exception {
        UnlockResult r = new UnlockCommand(List.of("/nonexistent/cryptsetup", "{device}"), Duration.ofSeconds(5))
                .run(Path.of("/dev/null"), "x", Path.of("/dev/null"), new byte[] {1});

        assertEquals(127, assertInstanceOf(UnlockResult.Refused.class, r).exitStatus());
    }
}
