package dev.cvmfde.server.provider.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TsiAbiTest {

    @Test
    void attestationCmd_layout_matchesLp64Header() {
        assertEquals(8264, TsiAbi.ATTESTATION_CMD.byteSize());
        assertEquals(0, TsiAbi.CHALLENGE_OFFSET);
        assertEquals(64, TsiAbi.TOKEN_OFFSET);
        assertEquals(8256, TsiAbi.TOKEN_SIZE_OFFSET);
        assertEquals(8, TsiAbi.ATTESTATION_CMD.byteAlignment());
    }

    @Test
    void deviceCert_layout_matchesLp64Header() {
        assertEquals(4104, TsiAbi.DEVICE_CERT.byteSize());
        assertEquals(0, TsiAbi.CERT_SIZE_OFFSET);
        assertEquals(8, TsiAbi.CERT_VALUE_OFFSET);
    }

    @Test
    void ioctlNumbers_iocEncoding_matchHandComputedValues() {
        // _IOWR('T', 1, 8264) = 3<<30 | 0x2048<<16 | 0x54<<8 | 1 ; _IOR('T', 2, 4104) = 2<<30 | 0x1008<<16 | 0x54<<8 | 2
        assertEquals(0xE0485401, TsiAbi.TMM_GET_ATTESTATION_TOKEN);
        assertEquals(0x90085402, TsiAbi.TMM_GET_DEVICE_CERT);
    }

    @Test
    void ioc_sizeOver14Bits_throws() {
        assertThrows(IllegalArgumentException.class, () -> TsiAbi.ioc(TsiAbi.IOC_READ, 'T', 1, 1 << 14));
    }

    @Test
    void layoutAndIoctlNumbers_gccCompiledHeader_agreeWithJava(@TempDir Path tmp) throws Exception {
        Path c = copyResource("tsi_layout.c", tmp);
        copyResource("tsi_abi.h", tmp);
        Path binary = tmp.resolve("tsi_layout");
        run(tmp, "gcc", "-std=c11", "-Wall", "-Werror", "-o", binary.toString(), c.toString());
        Map<String, Long> facts = parse(run(tmp, binary.toString()));

        assertEquals(TsiAbi.ATTESTATION_CMD.byteSize(), facts.get("attestation_cmd.size"));
        assertEquals(TsiAbi.CHALLENGE_OFFSET, facts.get("attestation_cmd.challenge"));
        assertEquals(TsiAbi.TOKEN_OFFSET, facts.get("attestation_cmd.token"));
        assertEquals(TsiAbi.TOKEN_SIZE_OFFSET, facts.get("attestation_cmd.token_size"));
        assertEquals(TsiAbi.DEVICE_CERT.byteSize(), facts.get("device_cert.size"));
        assertEquals(TsiAbi.CERT_VALUE_OFFSET, facts.get("device_cert.value"));
        assertEquals(Integer.toUnsignedLong(TsiAbi.TMM_GET_ATTESTATION_TOKEN), facts.get("TMM_GET_ATTESTATION_TOKEN"));
        assertEquals(Integer.toUnsignedLong(TsiAbi.TMM_GET_DEVICE_CERT), facts.get("TMM_GET_DEVICE_CERT"));
    }

    private static Path copyResource(String name, Path dir) throws IOException {
        try (InputStream in = TsiAbiTest.class.getResourceAsStream("/vectors/virtcca-tsi/" + name)) {
            assertTrue(in != null, "missing test resource " + name);
            Path out = dir.resolve(name);
            Files.copy(in, out);
            return out;
        }
    }

    private static String run(Path dir, String... command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(command[0] + " is needed by this test and could not be started"
                    + " (install gcc and linux-libc-dev): " + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), command[0] + " timed out");
        assertEquals(0, p.exitValue(), command[0] + " failed:\n" + out);
        return out;
    }

    private static Map<String, Long> parse(String output) {
        Map<String, Long> facts = new HashMap<>();
        for (String line : output.strip().split("\n")) {
            String[] kv = line.split("=", 2);
            facts.put(kv[0], Long.parseUnsignedLong(kv[1].strip()));
        }
        assertEquals(8, facts.size(), "unexpected output:\n" + output);
        return facts;
    }
}
