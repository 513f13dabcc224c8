package dev.cvmfde.protocol.release;

import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;

/** The textual forms in which key bytes could leak: raw, hex, base64, base64url (at each alignment). */
final class KeyForms {
    private KeyForms() {
    }

    static List<String> of(byte[] key) {
        return IntStream.range(0, 3).boxed().flatMap(skip -> {
            byte[] tail = java.util.Arrays.copyOfRange(key, skip, key.length);
            String b64 = Base64.getEncoder().withoutPadding().encodeToString(tail);
            String b64url = Base64.getUrlEncoder().withoutPadding().encodeToString(tail);
            // Drop the last 3 characters: they depend on bytes after the key when it is embedded.
            return java.util.stream.Stream.of(b64.substring(0, b64.length() - 3), b64url.substring(0, b64url.length() - 3));
        }).collect(java.util.stream.Collectors.collectingAndThen(java.util.stream.Collectors.toList(), forms -> {
            forms.add(HexFormat.of().formatHex(key));
            forms.add(HexFormat.of().withUpperCase().formatHex(key));
            forms.add(new String(key, java.nio.charset.StandardCharsets.ISO_8859_1));
            return forms;
        }));
    }
}
