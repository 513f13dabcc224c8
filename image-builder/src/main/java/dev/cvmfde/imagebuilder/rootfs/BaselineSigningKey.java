package dev.cvmfde.imagebuilder.rootfs;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.release.KeyMaterialException;
import dev.cvmfde.protocol.release.VerifierKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Objects;

/**
 * The key that signs every hash.json the builder writes ({@code OUTPUT.hash.json.jws}), so the
 * verifier can refuse a baseline that anyone with write access to the image's directory edited.
 * By default the build key {@value #DEFAULT_NAME} under {@code $XDG_CONFIG_HOME/cvm-fde/}
 * (else {@code ~/.config/cvm-fde/}), made on first use (P-384, mode 0600, its directory 0700)
 * with its public half beside it ({@code baseline-signing.pub.jwk}), which the operator pins with
 * {@code attestation-client --baseline-signer}; for an existing key without it, it is written.
 * An existing key must be owner-only (as ssh).
 */
public record BaselineSigningKey(ECKey key, Path privateFile, Path publicFile, boolean created) {
    /** File name of the default build key. */
    public static final String DEFAULT_NAME = "baseline-signing.jwk";

    public BaselineSigningKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(privateFile, "privateFile");
        Objects.requireNonNull(publicFile, "publicFile");
    }

    /** {@code $XDG_CONFIG_HOME/cvm-fde/baseline-signing.jwk}, else {@code ~/.config/cvm-fde/…}. */
    public static Path defaultFile(Map<String, String> env, String userHome) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(userHome, ".config");
        return config.resolve("cvm-fde").resolve(DEFAULT_NAME);
    }

    /** The public JWK's file beside {@code privateFile}: {@code x.jwk} → {@code x.pub.jwk}. */
    public static Path publicFileOf(Path privateFile) {
        String name = privateFile.getFileName().toString();
        String base = name.endsWith(".jwk") ? name.substring(0, name.length() - ".jwk".length()) : name;
        return privateFile.resolveSibling(base + ".pub.jwk");
    }

    /** Reads the private JWK in {@code file}, or makes a new key there (and its public half) if there is none. */
    public static BaselineSigningKey loadOrCreate(Path file) throws EncryptException {
        Path pub = publicFileOf(file);
        try {
            if (Files.exists(file)) {
                ECKey key = VerifierKeys.readSigningKey(file);
                if (!Files.exists(pub)) {
                    VerifierKeys.writePublicJwk(key.toPublicJWK(), pub);
                }
                return new BaselineSigningKey(key, file, pub, false);
            }
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            ECKey key = VerifierKeys.generate();
            VerifierKeys.writePrivateJwk(key, file);
            VerifierKeys.writePublicJwk(key.toPublicJWK(), pub);
            return new BaselineSigningKey(key, file, pub, true);
        } catch (KeyMaterialException | IOException | UnsupportedOperationException e) {
            throw new EncryptException(EncryptException.Step.BASELINE, "baseline signing key " + file + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "BaselineSigningKey[" + privateFile + ", public " + publicFile + (created ? ", new" : "") + ", key redacted]";
    }
}
