package dev.cvmfde.refvalues.hashjson;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cvmfde.protocol.files.AtomicFiles;
import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.hashjson.HashJsonException.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads and writes hash.json in both forms. Reading is strict (named field and problem on any
 * error, bounded size, no duplicate keys); unknown fields survive a read-write round trip.
 */
public final class HashJson {
    /** Largest hash.json accepted; a real one is well under 4 KiB. */
    public static final int MAX_HASH_JSON_BYTES = 1 << 20;
    /** Most kernels a multi-kernel hash.json may list. */
    public static final int MAX_KERNELS = 256;

    private static final Set<String> TOP_KNOWN = Set.of("grub", "grub.cfg", "kernel", "initramfs", "kernels", "hash_alg");
    private static final Set<String> KERNEL_KNOWN = Set.of("version", "kernel", "initramfs");
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private HashJson() {
    }

    public static Baseline read(Path file) throws IOException, HashJsonException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_HASH_JSON_BYTES + 1);
            return parse(bytes);
        }
    }

    public static Baseline parse(byte[] json) throws HashJsonException {
        if (json.length > MAX_HASH_JSON_BYTES) {
            throw new HashJsonException("(document)", Problem.TOO_LARGE,
                    "larger than the limit of " + MAX_HASH_JSON_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new HashJsonException("(document)", Problem.MALFORMED_JSON, "not valid JSON: "
                    + (e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new HashJsonException("(document)", Problem.WRONG_TYPE, "expected a JSON object");
        }
        return fromTree((ObjectNode) root);
    }

    private static Baseline fromTree(ObjectNode root) throws HashJsonException {
        String algName = text(root, "hash_alg", "hash_alg");
        DigestAlgorithm alg = DigestAlgorithm.fromHashJsonName(algName).orElseThrow(() -> new HashJsonException(
                "hash_alg", Problem.UNSUPPORTED_ALGORITHM, "expected \"sha-256\" or \"sha-512\"; got \"" + algName + "\""));
        Digest grub = digest(root, "grub", "grub", alg);
        Digest grubCfg = digest(root, "grub.cfg", "grub.cfg", alg);
        boolean hasKernels = root.has("kernels");
        boolean hasFlat = root.has("kernel") || root.has("initramfs");
        if (hasKernels && hasFlat) {
            throw new HashJsonException("kernels", Problem.AMBIGUOUS_FORM,
                    "both \"kernels\" and a top-level \"kernel\"/\"initramfs\"; use one form");
        }
        Map<String, JsonNode> extra = extras(root, TOP_KNOWN);
        if (root.has(Baseline.SHIM_FIELD)) {
            digest(root, Baseline.SHIM_FIELD, Baseline.SHIM_FIELD, alg); // checked here, kept as an extra field
        }
        if (!hasKernels) {
            KernelEntry k = new KernelEntry(Optional.empty(), digest(root, "kernel", "kernel", alg),
                    digest(root, "initramfs", "initramfs", alg), Map.of());
            return new Baseline(alg, grub, grubCfg, List.of(k), Baseline.Form.FLAT, extra);
        }
        return new Baseline(alg, grub, grubCfg, kernels(root.get("kernels"), alg), Baseline.Form.MULTI_KERNEL, extra);
    }

    private static List<KernelEntry> kernels(JsonNode node, DigestAlgorithm alg) throws HashJsonException {
        if (!node.isArray()) {
            throw new HashJsonException("kernels", Problem.WRONG_TYPE, "expected an array");
        }
        if (node.isEmpty()) {
            throw new HashJsonException("kernels", Problem.MISSING, "the array is empty; at least one kernel is needed");
        }
        if (node.size() > MAX_KERNELS) {
            throw new HashJsonException("kernels", Problem.TOO_MANY_KERNELS,
                    node.size() + " entries; at most " + MAX_KERNELS + " are allowed");
        }
        List<KernelEntry> out = new ArrayList<>();
        Set<String> versions = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String at = "kernels[" + i + "]";
            JsonNode e = node.get(i);
            if (!e.isObject()) {
                throw new HashJsonException(at, Problem.WRONG_TYPE, "expected an object");
            }
            String version = text(e, "version", at + ".version");
            if (version.isEmpty()) {
                throw new HashJsonException(at + ".version", Problem.MISSING, "the version is empty");
            }
            if (!versions.add(version)) {
                throw new HashJsonException(at + ".version", Problem.DUPLICATE_VERSION,
                        "version \"" + version + "\" is listed twice");
            }
            out.add(new KernelEntry(Optional.of(version), digest(e, "kernel", at + ".kernel", alg),
                    digest(e, "initramfs", at + ".initramfs", alg), extras((ObjectNode) e, KERNEL_KNOWN)));
        }
        return out;
    }

    private static String text(JsonNode obj, String name, String path) throws HashJsonException {
        JsonNode v = obj.get(name);
        if (v == null || v.isNull()) {
            throw new HashJsonException(path, Problem.MISSING, "the field is missing");
        }
        if (!v.isTextual()) {
            throw new HashJsonException(path, Problem.WRONG_TYPE, "expected a string; got " + v.getNodeType());
        }
        return v.textValue();
    }

    private static Digest digest(JsonNode obj, String name, String path, DigestAlgorithm alg) throws HashJsonException {
        String hex = text(obj, name, path);
        if (hex.length() != alg.size() * 2) {
            throw new HashJsonException(path, Problem.WRONG_LENGTH, "expected " + alg.size() * 2
                    + " lowercase hex characters for " + alg.hashJsonName().orElseThrow() + "; got " + hex.length());
        }
        try {
            return Digest.ofHex(alg, hex);
        } catch (IllegalArgumentException e) {
            throw new HashJsonException(path, Problem.BAD_HEX, e.getMessage());
        }
    }

    private static Map<String, JsonNode> extras(ObjectNode obj, Set<String> known) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.properties().iterator(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!known.contains(e.getKey())) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** The JSON text of {@code baseline}, in its form, lowercase hex, unknown fields kept. */
    public static byte[] toBytes(Baseline baseline) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("grub", baseline.grub().hex());
        root.put("grub.cfg", baseline.grubCfg().hex());
        switch (baseline.form()) {
            case FLAT -> {
                KernelEntry k = baseline.kernels().getFirst();
                root.put("kernel", k.kernel().hex());
                root.put("initramfs", k.initramfs().hex());
            }
            case MULTI_KERNEL -> {
                ArrayNode arr = root.putArray("kernels");
                for (KernelEntry k : baseline.kernels()) {
                    ObjectNode e = arr.addObject();
                    e.put("version", k.version().orElseThrow());
                    e.put("kernel", k.kernel().hex());
                    e.put("initramfs", k.initramfs().hex());
                    k.extraFields().forEach(e::set);
                }
            }
        }
        baseline.extraFields().forEach(root::set);
        root.put("hash_alg", baseline.hashAlg().hashJsonName().orElseThrow());
        try {
            byte[] body = MAPPER.writeValueAsBytes(root);
            byte[] out = java.util.Arrays.copyOf(body, body.length + 1);
            out[body.length] = '\n';
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("serialising a tree of strings failed", e);
        }
    }

    /** Writes atomically: a temp file beside {@code target}, fsync, rename. */
    public static void write(Baseline baseline, Path target) throws IOException {
        AtomicFiles.replace(target, toBytes(baseline), true); // mode 0600, as written before AtomicFiles was shared
    }
}
