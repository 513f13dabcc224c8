package dev.cvmfde.client.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens a {@link RootKey} from a spec:
 * <ul>
 * <li>{@code file:PATH} or just {@code PATH}: 32 raw bytes (AES-256), mode 0600 or 0400 (else
 *     refused, as for every key file: {@code KeyFileMode}). {@link #generateFile} makes one.</li>
 * <li>{@code pkcs11:CONFIG?alias=NAME&pin-file=PIN}: an AES key in a PKCS#11 token (e.g.
 *     SoftHSM2, an HSM), through the JDK's SunPKCS11 provider configured with {@code CONFIG}
 *     (its {@code library} and {@code slot}/{@code tokenLabel}); the PIN is read from
 *     {@code PIN} (mode 0600). The key never leaves the token: wrap and unwrap run inside it.</li>
 * </ul>
 */
public final class RootKeys {
    private RootKeys() {
    }

    /** Opens the root key named by {@code spec}; a missing file or token fails here, closed. */
    public static RootKey open(String spec) throws RootKeyUnavailableException {
        return dev.cvmfde.client.store.internal.RootKeySpecs.open(spec);
    }

    /** Writes a new random 32-byte root key to {@code file} (mode 0600); never overwrites. */
    public static void generateFile(Path file) throws IOException {
        dev.cvmfde.client.store.internal.FileRootKey.generate(file);
    }
}
