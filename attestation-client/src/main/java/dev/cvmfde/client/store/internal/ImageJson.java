package dev.cvmfde.client.store.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.client.store.ImageId;
import dev.cvmfde.client.store.StoreCorruptException;
import dev.cvmfde.client.store.StoredBaseline;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The JSON of one image file in the directory store ({@code images/ID.json}) and of a baseline
 * list (PostgreSQL keeps that in a column). Byte arrays are base64; the key is only ever the
 * envelope's two ciphertexts.
 */
final class ImageJson {
    /** Largest image file read: a few baselines of at most 1 MiB each, base64. */
    static final int MAX_IMAGE_FILE_BYTES = 16 * 1024 * 1024;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private ImageJson() {
    }

    static byte[] toBytes(StoredImage image) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("id", image.id().value());
        root.put("addedAt", image.addedAt().toString());
        root.put("wrappedDek", Base64.getEncoder().encodeToString(image.envelope().wrappedDek()));
        root.put("encryptedKey", Base64.getEncoder().encodeToString(image.envelope().encryptedKey()));
        root.set("baselines", baselinesTree(image.baselines()));
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode image " + image.id(), e);
        }
    }

    static StoredImage parse(byte[] bytes, String where) throws StoreCorruptException {
        try {
            JsonNode root = MAPPER.readTree(bytes);
            ImageId id = ImageId.of(text(root, "id"));
            Envelope envelope = new Envelope(b64(root, "wrappedDek"), b64(root, "encryptedKey"));
            return new StoredImage(id, Instant.parse(text(root, "addedAt")), envelope, baselines(root.get("baselines"), where));
        } catch (StoreCorruptException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new StoreCorruptException(where + " is not an image record: " + Gcm.describe(e), e);
        }
    }

    static String baselinesJson(List<StoredBaseline> baselines) {
        try {
            return MAPPER.writeValueAsString(baselinesTree(baselines));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode baselines", e);
        }
    }

    static List<StoredBaseline> parseBaselines(String json, String where) throws StoreCorruptException {
        try {
            return baselines(MAPPER.readTree(json), where);
        } catch (StoreCorruptException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new StoreCorruptException(where + ": baselines do not parse: " + Gcm.describe(e), e);
        }
    }

    private static ArrayNode baselinesTree(List<StoredBaseline> baselines) {
        ArrayNode list = MAPPER.createArrayNode();
        for (StoredBaseline b : baselines) {
            ObjectNode n = list.addObject();
            n.put("hashJson", Base64.getEncoder().encodeToString(b.hashJson()));
            n.put("jws", b.detachedJws());
            n.put("signer", b.signer().toPublicJWK().toJSONString());
            n.put("addedAt", b.addedAt().toString());
            b.acceptedUntil().ifPresent(u -> n.put("acceptedUntil", u.toString()));
        }
        return list;
    }

    private static List<StoredBaseline> baselines(JsonNode list, String where) throws StoreCorruptException {
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new StoreCorruptException(where + ": 'baselines' is missing or empty");
        }
        List<StoredBaseline> out = new ArrayList<>();
        for (JsonNode n : list) {
            ECKey signer;
            try {
                signer = ECKey.parse(text(n, "signer"));
            } catch (java.text.ParseException e) {
                throw new StoreCorruptException(where + ": a baseline's signer is not an EC JWK: " + e.getMessage(), e);
            }
            if (signer.isPrivate()) {
                throw new StoreCorruptException(where + ": a baseline's signer has a private part");
            }
            JsonNode until = n.get("acceptedUntil");
            out.add(new StoredBaseline(b64(n, "hashJson"), text(n, "jws"), signer, Instant.parse(text(n, "addedAt")),
                    until == null ? Optional.empty() : Optional.of(Instant.parse(until.asText()))));
        }
        return out;
    }

    private static String text(JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("'" + name + "' is missing or not a string");
        }
        return v.textValue();
    }

    private static byte[] b64(JsonNode n, String name) {
        return Base64.getDecoder().decode(text(n, name));
    }
}
