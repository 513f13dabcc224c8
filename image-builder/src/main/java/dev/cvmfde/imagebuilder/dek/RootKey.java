package dev.cvmfde.imagebuilder.dek;

import dev.cvmfde.protocol.secret.KeyFile;
import dev.cvmfde.protocol.secret.KeyFileException;
import dev.cvmfde.protocol.secret.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A 256-bit root key that wraps DEKs (envelope encryption, IBM's "WDEK"). Stored as a file of
 * exactly 32 raw random bytes, mode 0600; in production the root key would live in a KMS or
 * HSM, this file form is the local default. {@link #close()} zeroizes it.
 */
public final class RootKey implements AutoCloseable {
    /** AES-256: the root key is exactly this long. */
    public static final int KEY_BYTES = 32;
    private static final byte[] KEY_ID_LABEL = "cvm-fde root key id v1".getBytes(StandardCharsets.US_ASCII);

    private final SecretBytes key;

    private RootKey(SecretBytes key) {
        this.key = key;
    }

    /** Generates a new root key and writes it to {@code path} (0600; an existing file is never replaced). */
    public static RootKey generate(Path path, SecureRandom random) throws KeyFileException {
        KeyFile file = KeyFile.generateRaw(random);
        try {
            file.writeNew(path);
            return new RootKey(SecretBytes.takeOwnership(file.passphrase().copy()));
        } finally {
            file.close();
        }
    }

    /** Reads a root key file: exactly {@value #KEY_BYTES} raw bytes. */
    public static RootKey read(Path path) throws KeyFileException {
        try (KeyFile file = KeyFile.read(path)) {
            if (file.form() != KeyFile.Form.RAW || file.passphrase().length() != KEY_BYTES) {
                throw new KeyFileException("root key file " + path + " holds " + file.passphrase().length()
                        + (file.form() == KeyFile.Form.RAW ? " raw" : " text") + " bytes; exactly " + KEY_BYTES
                        + " raw random bytes are required (make one with: image-builder root-key --output FILE)");
            }
            byte[] copy = file.passphrase().copy();
            return new RootKey(SecretBytes.takeOwnership(copy));
        }
    }

    /**
     * A public identifier of this key (not the key): the first 8 bytes of
     * SHA-256("cvm-fde root key id v1" ‖ key) in hex, so a WDEK names the root key it needs.
     */
    public String keyId() {
        return key.use(k -> {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(KEY_ID_LABEL);
                md.update(k);
                return HexFormat.of().formatHex(md.digest(), 0, 8);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 missing from the JDK", e);
            }
        });
    }

    SecretBytes secret() {
        return key;
    }

    @Override
    public void close() {
        key.close();
    }

    @Override
    public String toString() {
        return "RootKey[" + keyId() + ", key redacted]";
    }
}
