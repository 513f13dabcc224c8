package dev.cvmfde.agent.luks.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cvmfde.agent.luks.HeaderRefusedException;
import dev.cvmfde.agent.luks.LuksHeaderPin;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JSON area of a LUKS2 header checked against a {@link LuksHeaderPin}: exactly one keyslot,
 * one segment, one digest binding them, no tokens, no flags or requirements, and every field the
 * pin records equal to it. Any {@code cipher_null} anywhere is named first. Duplicate keys are
 * refused (a parser that kept the other one would see another header).
 */
public final class Luks2Json {
    /** Deepest nesting in a header cryptsetup writes is 4 (keyslots → 0 → kdf → value). */
    private static final int MAX_NESTING = 8;
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    /** Where keyslot 0's area lies and where the metadata + keyslot areas end. */
    public record Layout(long areaOffset, long areaSize, long headerEnd) {
    }

    private Luks2Json() {
    }

    public static Layout check(byte[] area, LuksHeaderPin pin) throws HeaderRefusedException {
        int end = 0;
        while (end < area.length && area[end] != 0) {
            end++;
        }
        if (end == area.length) {
            throw new HeaderRefusedException("json", "the JSON area is not NUL-terminated");
        }
        JsonNode root;
        try (JsonParser p = MAPPER.createParser(area, 0, end)) {
            root = MAPPER.readTree(p);
            if (p.nextToken() != null) {
                throw new HeaderRefusedException("json", "text follows the JSON object");
            }
        } catch (IOException e) {
            throw new HeaderRefusedException("json", "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new HeaderRefusedException("json", "the JSON area does not hold an object");
        }
        noCipherNull(root, "");
        keys(root, "", Set.of("keyslots", "tokens", "segments", "digests", "config"));
        long hdr = pin.metadataBytes();
        JsonNode config = object(root, "config");
        keys(config, "config", Set.of("json_size", "keyslots_size"));
        equal(config, "config", "json_size", String.valueOf(hdr - 4096));
        long keyslotsSize = u64(config, "config", "keyslots_size");
        long headerEnd = 2 * hdr + keyslotsSize;
        if (headerEnd > pin.segmentOffset()) {
            throw HeaderRefusedException.mismatch("config.keyslots_size", "at most " + (pin.segmentOffset() - 2 * hdr),
                    keyslotsSize);
        }
        JsonNode tokens = object(root, "tokens");
        if (tokens.size() != 0) {
            throw HeaderRefusedException.mismatch("tokens", "none", names(tokens));
        }
        JsonNode segment = only(object(root, "segments"), "segments");
        String s = "segments.0";
        keys(segment, s, Set.of("type", "offset", "size", "iv_tweak", "encryption", "sector_size"));
        equal(segment, s, "type", "crypt");
        equal(segment, s, "encryption", pin.segmentEncryption());
        equal(segment, s, "offset", String.valueOf(pin.segmentOffset()));
        equal(segment, s, "size", "dynamic");
        equal(segment, s, "iv_tweak", "0");
        equalInt(segment, s, "sector_size", pin.sectorSize());
        JsonNode slot = only(object(root, "keyslots"), "keyslots");
        String k = "keyslots.0";
        keys(slot, k, Set.of("type", "key_size", "af", "area", "kdf"));
        equal(slot, k, "type", "luks2");
        equalInt(slot, k, "key_size", pin.keyBytes());
        JsonNode af = object(slot, "af", k);
        keys(af, k + ".af", Set.of("type", "stripes", "hash"));
        equal(af, k + ".af", "type", "luks1");
        equalInt(af, k + ".af", "stripes", 4000);
        equal(af, k + ".af", "hash", pin.afHash());
        JsonNode areaNode = object(slot, "area", k);
        String a = k + ".area";
        keys(areaNode, a, Set.of("type", "offset", "size", "encryption", "key_size"));
        equal(areaNode, a, "type", "raw");
        equal(areaNode, a, "encryption", pin.keyslotEncryption());
        equalInt(areaNode, a, "key_size", pin.keyBytes());
        long areaOffset = u64(areaNode, a, "offset");
        long areaSize = u64(areaNode, a, "size");
        if (areaOffset < 2 * hdr || areaOffset % 4096 != 0 || areaSize == 0 || areaOffset + areaSize > headerEnd) {
            throw HeaderRefusedException.mismatch(a, "an area inside [" + 2 * hdr + ", " + headerEnd + ")",
                    "offset " + areaOffset + " size " + areaSize);
        }
        checkKdf(object(slot, "kdf", k), pin.kdf());
        JsonNode digest = only(object(root, "digests"), "digests");
        String d = "digests.0";
        keys(digest, d, Set.of("type", "keyslots", "segments", "hash", "iterations", "salt", "digest"));
        equal(digest, d, "type", "pbkdf2");
        equalList(digest, d, "keyslots");
        equalList(digest, d, "segments");
        return new Layout(areaOffset, areaSize, headerEnd);
    }

    private static void checkKdf(JsonNode kdf, Map<String, String> pinned) throws HeaderRefusedException {
        String f = "keyslots.0.kdf";
        Set<String> want = new TreeSet<>(pinned.keySet());
        want.add("salt");
        keys(kdf, f, want);
        for (Map.Entry<String, String> e : pinned.entrySet()) {
            JsonNode v = kdf.get(e.getKey());
            if (!v.isValueNode() || !v.asText().equals(e.getValue())) {
                throw HeaderRefusedException.mismatch(f + "." + e.getKey(), e.getValue(), v);
            }
        }
        if (!kdf.get("salt").isTextual()) {
            throw HeaderRefusedException.mismatch(f + ".salt", "a base64 string", kdf.get("salt").getNodeType());
        }
    }

    private static void noCipherNull(JsonNode node, String path) throws HeaderRefusedException {
        if (node.isTextual() && node.asText().toLowerCase(java.util.Locale.ROOT).contains("cipher_null")) {
            throw new HeaderRefusedException(path, node.asText() + " (cipher_null: no encryption, any key \"opens\" it) is"
                    + " never accepted");
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                noCipherNull(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey());
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                noCipherNull(node.get(i), path + "." + i);
            }
        }
    }

    private static void keys(JsonNode node, String path, Set<String> allowed) throws HeaderRefusedException {
        Set<String> got = names(node);
        if (!got.equals(new TreeSet<>(allowed))) {
            throw HeaderRefusedException.mismatch(path.isEmpty() ? "fields" : path, new TreeSet<>(allowed), got);
        }
    }

    private static TreeSet<String> names(JsonNode node) {
        TreeSet<String> out = new TreeSet<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static JsonNode object(JsonNode parent, String name) throws HeaderRefusedException {
        return object(parent, name, "");
    }

    private static JsonNode object(JsonNode parent, String name, String path) throws HeaderRefusedException {
        JsonNode n = parent.get(name);
        String f = path.isEmpty() ? name : path + "." + name;
        if (n == null || !n.isObject()) {
            throw HeaderRefusedException.mismatch(f, "an object", n == null ? "nothing" : n.getNodeType());
        }
        return n;
    }

    /** The single entry "0" of {@code node}; any other count or name is refused with the names found. */
    private static JsonNode only(JsonNode node, String path) throws HeaderRefusedException {
        if (!names(node).equals(new TreeSet<>(Set.of("0")))) {
            throw HeaderRefusedException.mismatch(path, "exactly one, \"0\"", names(node));
        }
        return object(node, "0", path);
    }

    private static void equal(JsonNode node, String path, String name, String want) throws HeaderRefusedException {
        JsonNode v = node.get(name);
        if (v == null || !v.isTextual() || !v.asText().equals(want)) {
            throw HeaderRefusedException.mismatch(path + "." + name, want, v);
        }
    }

    private static void equalInt(JsonNode node, String path, String name, long want) throws HeaderRefusedException {
        JsonNode v = node.get(name);
        if (v == null || !v.isIntegralNumber() || v.longValue() != want) {
            throw HeaderRefusedException.mismatch(path + "." + name, want, v);
        }
    }

    private static void equalList(JsonNode node, String path, String name) throws HeaderRefusedException {
        JsonNode v = node.get(name);
        List<String> got = new ArrayList<>();
        if (v != null && v.isArray()) {
            v.forEach(x -> got.add(x.isTextual() ? x.asText() : x.toString()));
        }
        if (!got.equals(List.of("0"))) {
            throw HeaderRefusedException.mismatch(path + "." + name, "[0]", v);
        }
    }

    private static long u64(JsonNode node, String path, String name) throws HeaderRefusedException {
        JsonNode v = node.get(name);
        if (v == null || !v.isTextual() || !v.asText().matches("[0-9]{1,18}")) {
            throw HeaderRefusedException.mismatch(path + "." + name, "a decimal string", v);
        }
        return Long.parseLong(v.asText());
    }
}
