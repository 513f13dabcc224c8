package dev.cvmfde.agent.config.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cvmfde.agent.config.AgentConfig;
import dev.cvmfde.agent.config.ConfigException;
import dev.cvmfde.agent.luks.LuksHeaderPin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@code agent.json} ↔ {@link AgentConfig}. Unknown keys are refused (a typo must not silently fall back to a default). */
public final class ConfigJson {
    static final Set<String> KEYS = Set.of("luksUuid", "mapperName", "bindAddress", "port", "provider", "verifierKey",
            "imageId", "networkTimeout", "verifierWait", "verifierWaitMax", "verifierGiveUp", "unlockCommand",
            "unlockTimeout", "interface", "simulatedIdentity", "simulatedEventLog", "blockClassDir", "deviceDir", "luksHeader", "broker");
    static final Set<String> HEADER_KEYS = Set.of("metadataBytes", "segmentEncryption", "segmentOffset", "sectorSize",
            "keyBytes", "keyslotEncryption", "afHash", "kdf", "volumeKeyFingerprint");
    private static final int MAX_NESTING = 4;
    private static final ObjectMapper MAPPER = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build()).build())
            .enable(SerializationFeature.INDENT_OUTPUT);

    private ConfigJson() {
    }

    public static AgentConfig parse(byte[] json) throws ConfigException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ConfigException("not valid JSON: " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new ConfigException("cannot read JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException("a JSON object is required at the top level");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new ConfigException("unknown key '" + key + "'; known keys: " + KEYS.stream().sorted().toList());
            }
        }
        try {
            AgentConfig d = AgentConfig.defaults(required(root, "luksUuid"));
            return new AgentConfig(d.luksUuid(), text(root, "mapperName").orElse(d.mapperName()),
                    text(root, "bindAddress"), integer(root, "port", d.port()), text(root, "provider").orElse(d.provider()),
                    text(root, "verifierKey").map(Path::of).orElse(d.verifierKey()), text(root, "imageId").orElse(""),
                    duration(root, "networkTimeout", d.networkTimeout()), duration(root, "verifierWait", d.verifierWait()),
                    duration(root, "verifierWaitMax", d.verifierWaitMax()),
                    duration(root, "verifierGiveUp", d.verifierGiveUp()), command(root, d.unlockCommand()),
                    duration(root, "unlockTimeout", d.unlockTimeout()), text(root, "interface"),
                    text(root, "simulatedIdentity").map(Path::of), text(root, "simulatedEventLog").map(Path::of),
                    text(root, "blockClassDir").map(Path::of).orElse(d.blockClassDir()),
                    text(root, "deviceDir").map(Path::of).orElse(d.deviceDir()), luksHeader(root.get("luksHeader")),
                    text(root, "broker"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    /** The JSON the image builder writes; {@link #parse} reads it back to an equal configuration. */
    public static byte[] write(AgentConfig c) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("luksUuid", c.luksUuid());
        o.put("mapperName", c.mapperName());
        c.bindAddress().ifPresent(a -> o.put("bindAddress", a));
        o.put("port", c.port());
        o.put("provider", c.provider());
        o.put("verifierKey", c.verifierKey().toString());
        o.put("imageId", c.imageId());
        o.put("networkTimeout", Durations.format(c.networkTimeout()));
        o.put("verifierWait", Durations.format(c.verifierWait()));
        o.put("verifierWaitMax", Durations.format(c.verifierWaitMax()));
        o.put("verifierGiveUp", Durations.format(c.verifierGiveUp()));
        ArrayNode cmd = o.putArray("unlockCommand");
        c.unlockCommand().forEach(cmd::add);
        o.put("unlockTimeout", Durations.format(c.unlockTimeout()));
        c.interfaceName().ifPresent(i -> o.put("interface", i));
        c.simulatedIdentity().ifPresent(p -> o.put("simulatedIdentity", p.toString()));
        c.simulatedEventLog().ifPresent(p -> o.put("simulatedEventLog", p.toString()));
        if (!c.blockClassDir().equals(AgentConfig.DEFAULT_BLOCK_CLASS_DIR)) {
            o.put("blockClassDir", c.blockClassDir().toString());
        }
        if (!c.deviceDir().equals(AgentConfig.DEFAULT_DEVICE_DIR)) {
            o.put("deviceDir", c.deviceDir().toString());
        }
        c.luksHeader().ifPresent(pin -> writeHeader(o.putObject("luksHeader"), pin));
        c.broker().ifPresent(b -> o.put("broker", b));
        try {
            return (MAPPER.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON serialization of a tree failed", e);
        }
    }

    private static void writeHeader(ObjectNode h, LuksHeaderPin pin) {
        h.put("metadataBytes", pin.metadataBytes());
        h.put("segmentEncryption", pin.segmentEncryption());
        h.put("segmentOffset", pin.segmentOffset());
        h.put("sectorSize", pin.sectorSize());
        h.put("keyBytes", pin.keyBytes());
        h.put("keyslotEncryption", pin.keyslotEncryption());
        h.put("afHash", pin.afHash());
        ObjectNode kdf = h.putObject("kdf");
        pin.kdf().forEach((k, v) -> {
            if (v.matches("[0-9]{1,9}")) {
                kdf.put(k, Integer.parseInt(v));
            } else {
                kdf.put(k, v);
            }
        });
        h.put("volumeKeyFingerprint", pin.fingerprintHex());
    }

    /** The {@code luksHeader} object (the header the builder wrote); absent → empty, and the agent refuses at start. */
    private static Optional<LuksHeaderPin> luksHeader(JsonNode h) throws ConfigException {
        if (h == null || h.isNull()) {
            return Optional.empty();
        }
        if (!h.isObject()) {
            throw new ConfigException("'luksHeader' must be an object; it is " + h.getNodeType());
        }
        for (Iterator<String> it = h.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!HEADER_KEYS.contains(key)) {
                throw new ConfigException("unknown key 'luksHeader." + key + "'; known keys: " + HEADER_KEYS.stream().sorted().toList());
            }
        }
        JsonNode kdfNode = h.get("kdf");
        if (kdfNode == null || !kdfNode.isObject()) {
            throw new ConfigException("'luksHeader.kdf' must be an object such as {\"type\": \"pbkdf2\", \"hash\": \"sha512\", \"iterations\": 1000}");
        }
        java.util.Map<String, String> kdf = new java.util.TreeMap<>();
        for (Iterator<java.util.Map.Entry<String, JsonNode>> it = kdfNode.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!(e.getValue().isTextual() || e.getValue().isIntegralNumber())) {
                throw new ConfigException("'luksHeader.kdf." + e.getKey() + "' must be a string or an integer");
            }
            kdf.put(e.getKey(), e.getValue().asText());
        }
        String fingerprint = required(h, "volumeKeyFingerprint", "luksHeader.volumeKeyFingerprint");
        if (!fingerprint.matches("[0-9a-f]{64}")) {
            throw new ConfigException("'luksHeader.volumeKeyFingerprint' must be 64 lower-case hex digits");
        }
        try {
            return Optional.of(new LuksHeaderPin(requiredInt(h, "metadataBytes"),
                    required(h, "segmentEncryption", "luksHeader.segmentEncryption"), requiredLong(h, "segmentOffset"),
                    requiredInt(h, "sectorSize"), requiredInt(h, "keyBytes"),
                    required(h, "keyslotEncryption", "luksHeader.keyslotEncryption"), required(h, "afHash", "luksHeader.afHash"),
                    kdf, java.util.HexFormat.of().parseHex(fingerprint)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    private static String required(JsonNode o, String key, String name) throws ConfigException {
        JsonNode n = o.get(key);
        if (n == null || !n.isTextual()) {
            throw new ConfigException("'" + name + "' is required and must be a string");
        }
        return n.asText();
    }

    private static int requiredInt(JsonNode o, String key) throws ConfigException {
        JsonNode n = o.get(key);
        if (n == null || !n.isInt()) {
            throw new ConfigException("'luksHeader." + key + "' is required and must be an integer");
        }
        return n.intValue();
    }

    private static long requiredLong(JsonNode o, String key) throws ConfigException {
        JsonNode n = o.get(key);
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new ConfigException("'luksHeader." + key + "' is required and must be an integer");
        }
        return n.longValue();
    }

    private static String required(JsonNode root, String key) throws ConfigException {
        return text(root, key).orElseThrow(() -> new ConfigException("'" + key + "' is required (the LUKS UUID the image builder recorded)"));
    }

    private static Optional<String> text(JsonNode root, String key) throws ConfigException {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw new ConfigException("'" + key + "' must be a string; it is " + n.getNodeType());
        }
        return Optional.of(n.asText());
    }

    private static int integer(JsonNode root, String key, int fallback) throws ConfigException {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isInt()) {
            throw new ConfigException("'" + key + "' must be an integer; it is " + n);
        }
        return n.intValue();
    }

    private static Duration duration(JsonNode root, String key, Duration fallback) throws ConfigException {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (n.isIntegralNumber() && n.canConvertToInt()) {
            return Duration.ofSeconds(n.intValue());
        }
        if (n.isTextual()) {
            return Durations.parse(key, n.asText());
        }
        throw new ConfigException("'" + key + "' must be a duration such as \"90s\" or a number of seconds; it is " + n);
    }

    private static List<String> command(JsonNode root, List<String> fallback) throws ConfigException {
        JsonNode n = root.get("unlockCommand");
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isArray()) {
            throw new ConfigException("'unlockCommand' must be an array of strings, e.g. " + fallback);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode a : n) {
            if (!a.isTextual()) {
                throw new ConfigException("'unlockCommand' must hold strings only; found " + a.getNodeType());
            }
            out.add(a.asText());
        }
        return out;
    }
}
