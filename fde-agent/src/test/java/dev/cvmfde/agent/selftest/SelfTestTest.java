package dev.cvmfde.agent.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.agent.console.AgentConsole;
import dev.cvmfde.agent.luks.HeaderRefusedException;
import dev.cvmfde.agent.luks.LuksHeaderCheck;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The self-test is the guest runtime's AOT training run: it must cover the boot path the agent
 * runs before it listens, the LUKS2 header validation included, and its synthetic header must be
 * one cryptsetup itself reads.
 */
class SelfTestTest {
    private static final String UUID = "0c0ffee0-0000-4000-8000-000000000001";

    @Test
    void run_noDiskNoNetwork_completesTheExchange() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SelfTest.run(AgentConsole.to(new PrintStream(out, true, StandardCharsets.UTF_8)));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("self-test: OK"), out::toString);
    }

    @Test
    void header_validatedByTheAgentsCheck_andReadByCryptsetup(@TempDir Path dir) throws Exception {
        SelfTestHeader header = SelfTestHeader.create(UUID, new SecureRandom());
        Path device = dir.resolve("device");
        Files.write(device, header.image());
        try (var ch = java.nio.channels.FileChannel.open(device, java.nio.file.StandardOpenOption.WRITE)) {
            // cryptsetup wants the device to reach past the payload offset (sparse: no disk used)
            ch.write(java.nio.ByteBuffer.allocate(1), SelfTestHeader.SEGMENT_OFFSET + (1 << 20));
        }
        assertEquals(UUID, LuksHeaderCheck.read(device, UUID, header.pin()).uuid());
        // an independent reader: cryptsetup checks both checksums and the JSON (it prints "LUKS header information")
        Process p = new ProcessBuilder("cryptsetup", "luksDump", device.toString()).redirectErrorStream(true).start();
        String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), dump);
        assertTrue(dump.contains(UUID) && dump.contains("aes-xts-plain64") && dump.contains("pbkdf2"), dump);
    }

    @Test
    void header_oneByteOfTheJsonChanged_refusedAtChecksum(@TempDir Path dir) throws Exception {
        SelfTestHeader header = SelfTestHeader.create(UUID, new SecureRandom());
        byte[] image = header.image();
        image[4096 + 2] ^= 1;
        Path device = dir.resolve("device");
        Files.write(device, image);
        HeaderRefusedException e = assertThrows(HeaderRefusedException.class,
                () -> LuksHeaderCheck.read(device, UUID, header.pin()));
        assertTrue(e.getMessage().contains("primary.csum"), e.getMessage());
    }

    @Test
    void writeFixture_loadedAsTheBootPathLoadsIt_rootFoundAndHeaderValidated(@TempDir Path dir) throws Exception {
        SelfTest.writeFixture(dir, UUID);
        dev.cvmfde.agent.config.AgentConfig config = dev.cvmfde.agent.config.AgentConfigLoader.load(
                dir.resolve("agent.json"), dev.cvmfde.agent.config.KernelCmdline.parse("quiet ip=dhcp rd.neednet=1"));
        assertEquals("tsm", config.provider());
        assertEquals(dir.resolve("etc/verifier.pub.pem"), config.verifierKey());
        Path root = dev.cvmfde.agent.luks.LuksVolumes.findByUuid(config.blockClassDir(), config.deviceDir(), UUID);
        assertEquals(dir.resolve("dev/vdb"), root);
        assertEquals(UUID, LuksHeaderCheck.read(root, UUID, config.luksHeader().orElseThrow()).uuid());
    }
}
