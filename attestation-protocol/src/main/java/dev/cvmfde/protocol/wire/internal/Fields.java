package dev.cvmfde.protocol.wire.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * Typed reads of one message object's members. Each failure is a {@link FieldException} naming
 * the member and what was expected; unknown members are refused.
 */
final class Fields {
    private final ObjectNode node;

    Fields(ObjectNode node) {
        this.node = node;
    }

    static final class FieldException extends Exception {
        FieldException(String message) {
            super(message, null, false, false);
        }
    }

    /** Refuses members outside {@code allowed} (the protocol is strict: see the README). */
    void onlyMembers(Set<String> allowed) throws FieldException {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new FieldException("unknown member \"" + shorten(name) + "\"; allowed are " + allowed);
            }
        }
    }

    JsonNode required(String name) throws FieldException {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw new FieldException("member \"" + name + "\" is missing");
        }
        return value;
    }

    Optional<JsonNode> optional(String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
    }

    String string(String name) throws FieldException {
        return string(required(name), name);
    }

    static String string(JsonNode value, String name) throws FieldException {
        if (!value.isTextual()) {
            throw new FieldException("member \"" + name + "\" must be a string, got " + value.getNodeType());
        }
        return value.textValue();
    }

    boolean bool(String name) throws FieldException {
        JsonNode value = required(name);
        if (!value.isBoolean()) {
            throw new FieldException("member \"" + name + "\" must be true or false, got " + value.getNodeType());
        }
        return value.booleanValue();
    }

    byte[] bytes(String name, int maxBytes) throws FieldException {
        return bytes(required(name), name, maxBytes);
    }

    /** Unpadded base64url (RFC 4648 §5), length checked before decoding. */
    static byte[] bytes(JsonNode value, String name, int maxBytes) throws FieldException {
        String text = string(value, name);
        long maxChars = (maxBytes * 4L + 2) / 3;
        if (text.length() > maxChars) {
            throw new FieldException("member \"" + name + "\" holds " + text.length()
                    + " base64url characters; at most " + maxChars + " (" + maxBytes + " bytes) are allowed");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                throw new FieldException("member \"" + name + "\" is not unpadded base64url (character " + (i + 1) + ")");
            }
        }
        try {
            return Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new FieldException("member \"" + name + "\" is not valid base64url (length " + text.length() + ")");
        }
    }

    static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Peer-supplied text for an error message: at most 40 characters, controls replaced. */
    static String shorten(String text) {
        String cut = text.length() <= 40 ? text : text.substring(0, 40) + "…";
        StringBuilder out = new StringBuilder(cut.length());
        cut.chars().forEach(c -> out.append(Character.isISOControl(c) ? '?' : (char) c));
        return out.toString();
    }
}
