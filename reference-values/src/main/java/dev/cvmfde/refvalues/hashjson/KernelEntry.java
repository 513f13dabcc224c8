package dev.cvmfde.refvalues.hashjson;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cvmfde.refvalues.Digest;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One bootable kernel of a baseline: its version (absent in the flat form), the digest of the
 * decompressed kernel image and of the initramfs file. Unknown JSON fields of the entry are kept
 * so that a rewrite does not lose them.
 */
public record KernelEntry(Optional<String> version, Digest kernel, Digest initramfs, Map<String, JsonNode> extraFields) {
    public KernelEntry {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initramfs, "initramfs");
        if (kernel.algorithm() != initramfs.algorithm()) {
            throw new IllegalArgumentException("kernel and initramfs digests use different algorithms");
        }
        extraFields = deepCopy(extraFields);
    }

    public KernelEntry(String version, Digest kernel, Digest initramfs) {
        this(Optional.ofNullable(version), kernel, initramfs, Map.of());
    }

    @Override
    public Map<String, JsonNode> extraFields() {
        return deepCopy(extraFields);
    }

    static Map<String, JsonNode> deepCopy(Map<String, JsonNode> in) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, v.deepCopy()));
        return Collections.unmodifiableMap(out);
    }
}
