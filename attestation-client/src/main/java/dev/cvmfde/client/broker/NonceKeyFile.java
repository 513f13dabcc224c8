package dev.cvmfde.client.broker;

import dev.cvmfde.protocol.files.AtomicFiles;
import dev.cvmfde.protocol.secret.KeyFileException;
import dev.cvmfde.protocol.secret.KeyFileMode;
import dev.cvmfde.protocol.secret.SecretBytes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The brokers' shared nonce MAC key: a file of exactly {@link BrokerNonces#KEY_BYTES} random
 * bytes, mode 0600/0400 (group/other access refused). Every broker of one store is given the
 * same file (e.g. beside the root key, or distributed like it); a nonce issued by one is then
 * accepted by all. Made on first use with {@link AtomicFiles#writeNew} (hard-link publish), so
 * two brokers starting at once end up with one key.
 */
public final class NonceKeyFile {
    private NonceKeyFile() {
    }

    /**
     * Reads {@code file}, or creates it if it does not exist.
     *
     * @return the key and whether this call created it
     */
    public static Loaded readOrCreate(Path file) throws IOException, KeyFileException {
        if (!Files.exists(file)) {
            byte[] fresh = new byte[BrokerNonces.KEY_BYTES];
            new SecureRandom().nextBytes(fresh);
            try {
                AtomicFiles.writeNew(file, fresh, true);
                return new Loaded(SecretBytes.takeOwnership(fresh), true);
            } catch (FileAlreadyExistsException raced) {
                Arrays.fill(fresh, (byte) 0); // another broker made it first: use theirs
            }
        }
        return new Loaded(read(file), false);
    }

    /** Reads an existing key file; a wrong size or mode is refused. */
    public static SecretBytes read(Path file) throws IOException, KeyFileException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString());
        }
        KeyFileMode.requireOwnerOnly(file, "nonce key --nonce-key");
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(BrokerNonces.KEY_BYTES + 1);
        }
        if (bytes.length != BrokerNonces.KEY_BYTES) {
            int n = bytes.length;
            Arrays.fill(bytes, (byte) 0);
            throw new IOException("nonce key " + file + " holds " + (n > BrokerNonces.KEY_BYTES ? "more than "
                    + BrokerNonces.KEY_BYTES : n) + " bytes; exactly " + BrokerNonces.KEY_BYTES + " are required");
        }
        return SecretBytes.takeOwnership(bytes);
    }

    /** A key and whether it was made just now. */
    public record Loaded(SecretBytes key, boolean created) {
    }
}
