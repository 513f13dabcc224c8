package dev.cvmfde.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.agent.config.internal.ConfigJson;
import dev.cvmfde.agent.luks.LuksHeaderPin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigLoaderTest {
    static final String UUID = "0c0ffee0-1234-4abc-8def-0123456789ab";

    @TempDir
    Path tmp;

    @Test
    void readFile_writtenConfig_readsBackEqual() throws Exception {
        AgentConfig c = AgentConfig.defaults(UUID).withProvider("simulated").withImageId("img-1")
                .withVerifierWait(Duration.ofMillis(1500), Duration.ofSeconds(90), Duration.ofMinutes(5))
                .withSimulated(Optional.of(Path.of("/etc/cvm-fde/sim")), Optional.empty());
        Path f = Files.write(tmp.resolve("agent.json"), ConfigJson.write(c));

        assertEquals(c, AgentConfigLoader.readFile(f));
    }

    @Test
    void readFile_writtenLuksHeader_readsBackEqual() throws Exception {
        byte[] fingerprint = new byte[32];
        fingerprint[31] = 7;
        LuksHeaderPin pin = new LuksHeaderPin(16384, "aes-xts-plain64", 16L << 20, 4096, 64, "aes-xts-plain64", "sha256",
                Map.of("type", "argon2id", "time", "4", "memory", "1048576", "cpus", "4"), fingerprint);
        AgentConfig c = AgentConfig.defaults(UUID).withLuksHeader(pin);
        Path f = Files.write(tmp.resolve("agent.json"), ConfigJson.write(c));

        assertEquals(c, AgentConfigLoader.readFile(f));
        assertTrue(Files.readString(f).contains("\"volumeKeyFingerprint\" : \"" + "00".repeat(31) + "07\""));
    }

    @Test
    void readFile_badLuksHeader_refusedNamingTheField() throws Exception {
        String ok = "\"metadataBytes\":16384,\"segmentEncryption\":\"aes-xts-plain64\",\"segmentOffset\":16777216,"
                + "\"sectorSize\":512,\"keyBytes\":64,\"keyslotEncryption\":\"aes-xts-plain64\",\"afHash\":\"sha512\","
                + "\"kdf\":{\"type\":\"pbkdf2\",\"hash\":\"sha512\",\"iterations\":1000},\"volumeKeyFingerprint\":\""
                + "ab".repeat(32) + "\"";
        assertEquals(Optional.of(64), AgentConfigLoader.readFile(Files.writeString(tmp.resolve("ok.json"),
                "{\"luksUuid\":\"" + UUID + "\",\"luksHeader\":{" + ok + "}}")).luksHeader().map(LuksHeaderPin::keyBytes));
        Map<String, String> bad = Map.of(
                "luksHeader.extra", ok + ",\"extra\":1",
                "cipher_null", ok.replace("\"segmentEncryption\":\"aes-xts-plain64\"", "\"segmentEncryption\":\"cipher_null-ecb\""),
                "volumeKeyFingerprint", ok.replace("ab".repeat(32), "ab".repeat(31)),
                "metadataBytes", ok.replace("16384", "12345"));
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Path f = Files.writeString(tmp.resolve("agent.json"), "{\"luksUuid\":\"" + UUID + "\",\"luksHeader\":{" + e.getValue() + "}}");
            ConfigException x = assertThrows(ConfigException.class, () -> AgentConfigLoader.readFile(f), e.getKey());
            assertTrue(x.getMessage().contains(e.getKey()), x.getMessage());
        }
    }

    @Test
    void readFile_unlockCommandWithoutHeaderCopy_refused() throws Exception {
        Path f = Files.writeString(tmp.resolve("agent.json"), "{\"luksUuid\":\"" + UUID
                + "\",\"unlockCommand\":[\"cryptsetup\",\"open\",\"{device}\",\"{name}\",\"--key-file=-\"]}");

        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.readFile(f));
        assertTrue(e.getMessage().contains("{header}"), e.getMessage());
    }

    @Test
    void readFile_minimal_defaultsApply() throws Exception {
        Path f = Files.writeString(tmp.resolve("agent.json"), "{\"luksUuid\":\"" + UUID.toUpperCase() + "\"}");

        AgentConfig c = AgentConfigLoader.readFile(f);
        assertEquals(UUID, c.luksUuid());
        assertEquals("encroot", c.mapperName());
        assertEquals(7220, c.port());
        assertEquals(AgentConfig.DEFAULT_UNLOCK_COMMAND, c.unlockCommand());
    }

    @Test
    void readFile_unknownKey_refusedNamingIt() throws Exception {
        Path f = Files.writeString(tmp.resolve("agent.json"), "{\"luksUuid\":\"" + UUID + "\",\"prot\":7220}");

        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfigLoader.readFile(f));
        assertTrue(e.getMessage().contains("'prot'"), e.getMessage());
    }

    @Test
    void readFile_badValues_refused() throws Exception {
        for (String body : List.of("{}", "[]", "{\"luksUuid\":\"nope\"}", "{\"luksUuid\":\"" + UUID + "\",\"provider\":\"sev\"}",
                "{\"luksUuid\":\"" + UUID + "\",\"port\":\"x\"}", "{\"luksUuid\":\"" + UUID + "\",\"unlockCommand\":[\"true\"]}",
                "{\"luksUuid\":\"" + UUID + "\",\"verifierWait\":\"5 minutes\"}", "not json")) {
            Path f = Files.writeString(tmp.resolve("agent.json"), body);
            assertThrows(ConfigException.class, () -> AgentConfigLoader.readFile(f), body);
        }
    }

    @Test
    void readFile_oversized_refused() throws Exception {
        Path f = Files.write(tmp.resolve("agent.json"), new byte[AgentConfigLoader.MAX_CONFIG_BYTES + 1]);

        assertThrows(ConfigException.class, () -> AgentConfigLoader.readFile(f));
    }

    @Test
    void applyKernelParameters_overrides_applied() throws Exception {
        KernelCmdline cmdline = KernelCmdline.parse("root=/dev/mapper/encroot ro cvmfde.port=7300"
                + " cvmfde.verifier_wait=10s cvmfde.give_up=2m ip=enp0s2:dhcp quiet");

        AgentConfig c = AgentConfigLoader.applyKernelParameters(AgentConfig.defaults(UUID), cmdline);
        assertEquals(7300, c.port());
        assertEquals(Duration.ofSeconds(10), c.verifierWait());
        assertEquals(Duration.ofMinutes(2), c.verifierGiveUp());
        assertEquals(Optional.of("enp0s2"), c.interfaceName());
    }

    @Test
    void applyKernelParameters_providerParameter_ignored() throws Exception {
        // the host writes the kernel command line: it must not switch a tsm image to the simulated TEE
        KernelCmdline cmdline = KernelCmdline.parse("root=/dev/mapper/encroot ro cvmfde.provider=simulated");
        AgentConfig file = AgentConfig.defaults(UUID).withProvider("tsm");

        AgentConfig c = AgentConfigLoader.applyKernelParameters(file, cmdline);

        assertEquals("tsm", c.provider());
        assertEquals(List.of("cvmfde.provider=simulated"), AgentConfigLoader.ignoredParameters(cmdline));
    }

    @Test
    void applyKernelParameters_unknownOrBad_refused() {
        for (String line : List.of("cvmfde.verifier_key=/tmp/k", "cvmfde.port=0", "cvmfde.port=x", "cvmfde.give_up=forever")) {
            assertThrows(ConfigException.class,
                    () -> AgentConfigLoader.applyKernelParameters(AgentConfig.defaults(UUID), KernelCmdline.parse(line)), line);
        }
    }

    @Test
    void interfaceFromIp_dracutForms_interfaceOrNone() {
        assertEquals(Optional.empty(), AgentConfigLoader.interfaceFromIp(List.of("dhcp")));
        assertEquals(Optional.of("eth1"), AgentConfigLoader.interfaceFromIp(List.of("eth1:dhcp")));
        assertEquals(Optional.of("ens3"), AgentConfigLoader.interfaceFromIp(List.of("10.0.2.15::10.0.2.2:255.255.255.0:g:ens3:none")));
        assertEquals(Optional.of("ens3"), AgentConfigLoader.interfaceFromIp(List.of("[fd00::5]::[fd00::1]:64:g:ens3:none")));
        assertEquals(Optional.empty(), AgentConfigLoader.interfaceFromIp(List.of("eth0:dhcp", "eth1:dhcp")));
    }

    @Test
    void parse_quotedWords_keptTogetherLastWins() {
        KernelCmdline c = KernelCmdline.parse("a=1 b=\"x y\" a=2 flag");

        assertEquals(Optional.of("2"), c.value("a"));
        assertEquals(Optional.of("x y"), c.value("b"));
        assertEquals(Optional.of(""), c.value("flag"));
    }
}
