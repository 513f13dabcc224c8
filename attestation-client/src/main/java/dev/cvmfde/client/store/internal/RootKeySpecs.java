package dev.cvmfde.client.store.internal;

import dev.cvmfde.client.store.RootKey;
import dev.cvmfde.client.store.RootKeyUnavailableException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Parses a root-key spec ({@code file:PATH}, {@code PATH}, {@code pkcs11:CONFIG?alias=…&pin-file=…}). */
public final class RootKeySpecs {
    private static final Set<String> PKCS11_PARAMETERS = Set.of("alias", "pin-file");

    private RootKeySpecs() {
    }

    public static RootKey open(String spec) throws RootKeyUnavailableException {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("root key spec is empty; give file:PATH or pkcs11:CONFIG?alias=…&pin-file=…");
        }
        if (spec.startsWith("pkcs11:")) {
            String rest = spec.substring("pkcs11:".length());
            int q = rest.indexOf('?');
            Path config = Path.of(q < 0 ? rest : rest.substring(0, q));
            Map<String, String> params = query(q < 0 ? "" : rest.substring(q + 1), spec);
            String alias = params.get("alias");
            String pinFile = params.get("pin-file");
            if (alias == null || pinFile == null) {
                throw new IllegalArgumentException("root key spec " + spec + " needs alias=KEY and pin-file=FILE, e.g."
                        + " pkcs11:/etc/cvmfde/pkcs11.cfg?alias=cvmfde-root&pin-file=/etc/cvmfde/token.pin");
            }
            return Pkcs11RootKey.open(config, alias, Path.of(pinFile));
        }
        String path = spec.startsWith("file:") ? spec.substring("file:".length()) : spec;
        if (path.contains(":") && !spec.startsWith("file:") && path.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            throw new IllegalArgumentException("root key spec " + spec + ": unknown scheme; give file:PATH or pkcs11:…");
        }
        return FileRootKey.open(Path.of(path));
    }

    private static Map<String, String> query(String query, String spec) {
        Map<String, String> out = new LinkedHashMap<>();
        if (query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (!PKCS11_PARAMETERS.contains(name) || eq < 0) {
                throw new IllegalArgumentException("root key spec " + spec + ": unknown parameter '" + name
                        + "'; allowed: alias=KEY, pin-file=FILE");
            }
            out.put(name, pair.substring(eq + 1));
        }
        return out;
    }
}
