package dev.cvmfde.refvalues.uefi;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.replay.Registers;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The firmware PCRs of a UEFI boot, recorded from a golden boot (not predicted: OVMF's own
 * measurements depend on its build and variable store): the {@value #MEMBER} member of hash.json
 * that the TPM verifier's {@code firmware-pcrs} stage compares with the quoted PCRs
 * (docs/tpm-evidence.md). Only the sha256 bank; PCRs {@link #REQUIRED} must all be present.
 */
public record FirmwarePcrs(SortedMap<Integer, Digest> pcrs, String source) {
    /** The hash.json member. */
    public static final String MEMBER = "tpm";
    /** What the firmware measures before it runs the boot loader: code, configuration, option ROMs, Secure Boot. */
    public static final List<Integer> REQUIRED = List.of(0, 1, 2, 3, 7);
    /** The one bank the TPM path compares. */
    public static final DigestAlgorithm BANK = DigestAlgorithm.SHA256;
    /** Longest {@code source} text kept (it is shown in the verdict table). */
    public static final int MAX_SOURCE_CHARS = 512;
    /** Highest PCR number of a PC-client TPM. */
    static final int MAX_PCR = 23;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).enable(SerializationFeature.INDENT_OUTPUT).build();

    public FirmwarePcrs {
        Objects.requireNonNull(source, "source");
        pcrs = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(pcrs));
        for (Map.Entry<Integer, Digest> e : pcrs.entrySet()) {
            if (e.getKey() < 0 || e.getKey() > MAX_PCR) {
                throw new IllegalArgumentException("PCR " + e.getKey() + ": PCRs 0 to " + MAX_PCR + " are allowed");
            }
            if (e.getValue().algorithm() != BANK) {
                throw new IllegalArgumentException("PCR " + e.getKey() + " is " + e.getValue().algorithm().bankName()
                        + "; only the " + BANK.bankName() + " bank is recorded");
            }
        }
        for (int r : REQUIRED) {
            if (!pcrs.containsKey(r)) {
                throw new IllegalArgumentException("PCR " + r + " is missing; PCRs " + REQUIRED + " are required");
            }
        }
        if (source.length() > MAX_SOURCE_CHARS) {
            throw new IllegalArgumentException("source holds " + source.length() + " characters; at most "
                    + MAX_SOURCE_CHARS + " are allowed");
        }
    }

    /** The PCRs {@code numbers} of a replayed golden log (each must have been extended by it). */
    public static FirmwarePcrs recorded(Registers golden, List<Integer> numbers, String source) {
        if (golden.algorithm() != BANK) {
            throw new IllegalArgumentException("the golden log was replayed in " + golden.algorithm().bankName()
                    + "; the " + BANK.bankName() + " bank is recorded");
        }
        SortedMap<Integer, Digest> out = new TreeMap<>();
        for (int n : numbers) {
            if (n < 0 || n >= golden.size() || !golden.extended().contains(n)) {
                throw new IllegalArgumentException("PCR " + n + " was not extended by the golden boot's event log");
            }
            out.put(n, golden.get(n));
        }
        return new FirmwarePcrs(out, source);
    }

    /** The hash.json member: {@code {"pcr_bank": "sha256", "firmware_pcrs": {"0": hex, …}, "source": text}}. */
    public ObjectNode toJson() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("pcr_bank", BANK.bankName());
        ObjectNode p = root.putObject("firmware_pcrs");
        pcrs.forEach((k, v) -> p.put(Integer.toString(k), v.hex()));
        root.put("source", source);
        return root;
    }

    /** {@link #toJson()} as a JSON document (newline at the end). */
    public byte[] toBytes() {
        try {
            return (MAPPER.writeValueAsString(toJson()) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("serialising a tree of strings failed", e);
        }
    }

    /**
     * Reads the member (or a file holding only it); every error names the field.
     *
     * @throws IllegalArgumentException naming the field and what is allowed
     */
    public static FirmwarePcrs fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(MEMBER + ": expected an object");
        }
        JsonNode bank = node.get("pcr_bank");
        if (bank == null || !bank.isTextual() || !bank.textValue().equals(BANK.bankName())) {
            throw new IllegalArgumentException(MEMBER + ".pcr_bank: expected \"" + BANK.bankName() + "\"; got " + bank);
        }
        JsonNode p = node.get("firmware_pcrs");
        if (p == null || !p.isObject()) {
            throw new IllegalArgumentException(MEMBER + ".firmware_pcrs: expected an object of PCR number → hex");
        }
        SortedMap<Integer, Digest> pcrs = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = p.properties().iterator(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String at = MEMBER + ".firmware_pcrs." + e.getKey();
            if (!e.getKey().matches("[0-9]{1,2}")) {
                throw new IllegalArgumentException(at + ": keys are decimal PCR numbers 0-" + MAX_PCR);
            }
            String hex = e.getValue().isTextual() ? e.getValue().textValue() : "";
            if (!hex.matches("[0-9a-f]{" + BANK.size() * 2 + "}")) {
                throw new IllegalArgumentException(at + ": expected " + BANK.size() * 2 + " lowercase hex digits");
            }
            pcrs.put(Integer.parseInt(e.getKey()), Digest.ofHex(BANK, hex));
        }
        JsonNode source = node.get("source");
        if (source == null || !source.isTextual()) {
            throw new IllegalArgumentException(MEMBER + ".source: expected a string (where the values were recorded)");
        }
        return new FirmwarePcrs(pcrs, source.textValue());
    }

    /** Parses a file's bytes holding the member alone (what {@code reference-values firmware-pcrs} writes). */
    public static FirmwarePcrs parse(byte[] json) {
        try {
            return fromJson(MAPPER.readTree(json));
        } catch (IOException e) {
            throw new IllegalArgumentException(MEMBER + ": not valid JSON: " + e.getMessage(), e);
        }
    }
}
