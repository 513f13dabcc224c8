package dev.cvmfde.imagebuilder.dek;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cvmfde.imagebuilder.disk.AtomicOutput;
import dev.cvmfde.protocol.secret.KeyFile;
import dev.cvmfde.protocol.secret.KeyFileException;
import dev.cvmfde.protocol.secret.SecretBytes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * A DEK wrapped by a {@link RootKey} (IBM's "WDEK"): AES Key Wrap with Padding (RFC 5649, the
 * JDK's {@code AES/KWP/NoPadding}) of the DEK file's exact bytes under the 256-bit root key.
 * The file is one JSON object:
 * <pre>{"format":"cvmfde-wdek","version":1,"alg":"A256KWP","rootKeyId":"&lt;16 hex&gt;","wrapped":"&lt;base64&gt;"}</pre>
 * {@code rootKeyId} is {@link RootKey#keyId()}; unwrapping with another key fails the RFC 5649
 * integrity check.
 */
public record WrappedDek(String rootKeyId, byte[] wrapped) {
    public static final String FORMAT = "cvmfde-wdek";
    public static final String ALGORITHM = "A256KWP";
    /** Largest WDEK file read: a 512-character DEK wraps to well under 1 KiB of base64. */
    public static final int MAX_WDEK_FILE_BYTES = 4096;
    private static final String CIPHER = "AES/KWP/NoPadding";
    private static final ObjectMapper JSON = new ObjectMapper();

    public WrappedDek {
        if (rootKeyId == null || !rootKeyId.matches("[0-9a-f]{16}")) {
            throw new IllegalArgumentException("rootKeyId must be 16 lowercase hex characters");
        }
        wrapped = wrapped.clone();
    }

    @Override
    public byte[] wrapped() {
        return wrapped.clone();
    }

    /** Wraps the DEK's bytes (as stored in its file) under {@code rootKey}. */
    public static WrappedDek wrap(KeyFile dek, RootKey rootKey) throws GeneralSecurityException {
        byte[] plain = dek.passphrase().copy();
        try {
            byte[] out = rootKey.secret().use(k -> {
                try {
                    Cipher c = Cipher.getInstance(CIPHER);
                    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, "AES"));
                    return c.doFinal(plain);
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            });
            return new WrappedDek(rootKey.keyId(), out);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof GeneralSecurityException g) {
                throw g;
            }
            throw e;
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** Unwraps the DEK bytes; fails when {@code rootKey} is not the key this was wrapped with. */
    public SecretBytes unwrap(RootKey rootKey) throws KeyFileException {
        if (!rootKey.keyId().equals(rootKeyId)) {
            throw new KeyFileException("WDEK was wrapped by root key " + rootKeyId + "; the given root key is "
                    + rootKey.keyId());
        }
        byte[] plain = rootKey.secret().use(k -> {
            try {
                Cipher c = Cipher.getInstance(CIPHER);
                c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(k, "AES"));
                return c.doFinal(wrapped);
            } catch (GeneralSecurityException e) {
                return null;
            }
        });
        if (plain == null) {
            throw new KeyFileException("WDEK does not unwrap: RFC 5649 integrity check failed (wrong root key or a"
                    + " damaged file)");
        }
        return SecretBytes.takeOwnership(plain);
    }

    /** The JSON form, one line with a trailing newline. */
    public byte[] toJson() {
        return ("{\"format\":\"" + FORMAT + "\",\"version\":1,\"alg\":\"" + ALGORITHM + "\",\"rootKeyId\":\""
                + rootKeyId + "\",\"wrapped\":\"" + Base64.getEncoder().encodeToString(wrapped) + "\"}\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes the JSON form atomically (temp file beside it, fsync, rename); never replaces a file. */
    public void writeNew(Path path) throws IOException {
        if (Files.exists(path)) {
            throw new java.nio.file.FileAlreadyExistsException(path.toString(), null, "WDEK exists; not overwriting");
        }
        try (AtomicOutput out = AtomicOutput.create(path)) {
            Files.write(out.tempFile(), toJson());
            out.commit();
        }
    }

    /** Reads a WDEK file (bounded), checking format, version and algorithm. */
    public static WrappedDek read(Path path) throws IOException, KeyFileException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes(MAX_WDEK_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_WDEK_FILE_BYTES) {
            throw new KeyFileException("WDEK file " + path + " is larger than " + MAX_WDEK_FILE_BYTES + " bytes");
        }
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new KeyFileException("WDEK file " + path + " is not JSON");
        }
        if (n == null || !FORMAT.equals(n.path("format").asText()) || n.path("version").asInt() != 1
                || !ALGORITHM.equals(n.path("alg").asText())) {
            throw new KeyFileException("WDEK file " + path + ": expected format " + FORMAT + ", version 1, alg "
                    + ALGORITHM);
        }
        try {
            return new WrappedDek(n.path("rootKeyId").asText(), Base64.getDecoder().decode(n.path("wrapped").asText()));
        } catch (IllegalArgumentException e) {
            throw new KeyFileException("WDEK file " + path + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "WrappedDek[" + rootKeyId + ", " + wrapped.length + " bytes]";
    }
}
