package dev.cvmfde.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.agent.config.internal.ConfigJson;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** agent.json's {@code broker}: pull mode, chosen only by the measured file. */
class PullModeConfigTest {
    private static final String UUID = "0c0ffee0-1234-4abc-8def-0123456789ab";

    private static AgentConfig parse(String extra) throws ConfigException {
        return ConfigJson.parse(("{\"luksUuid\":\"" + UUID + "\"" + extra + "}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parse_brokerAndImageId_pullMode() throws Exception {
        AgentConfig c = parse(",\"imageId\":\"web-01\",\"broker\":\"http://10.0.2.2:7221\"");
        assertTrue(c.pullMode());
        assertEquals(Optional.of("http://10.0.2.2:7221"), c.broker());
    }

    @Test
    void parse_noBroker_pushMode() throws Exception {
        assertFalse(parse(",\"imageId\":\"Any Text\"").pullMode());
    }

    @Test
    void parse_brokerWithImageIdTheBrokerCannotKnow_refused() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse(",\"imageId\":\"Web 01\",\"broker\":\"http://10.0.2.2:7221\""));
        assertTrue(e.getMessage().contains("imageId"), e.getMessage());
    }

    @Test
    void parse_brokerNotHttp_refused() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse(",\"imageId\":\"web-01\",\"broker\":\"file:///etc/passwd\""));
        assertTrue(e.getMessage().contains("broker"), e.getMessage());
    }

    @Test
    void write_thenParse_keepsTheBroker() throws Exception {
        AgentConfig c = AgentConfig.defaults(UUID).withImageId("web-01").withBroker("https://broker.example:7221");
        assertEquals(c.broker(), ConfigJson.parse(ConfigJson.write(c)).broker());
    }
}
