package dev.cvmfde.client.store.internal;

import dev.cvmfde.client.store.RootKey;
import dev.cvmfde.client.store.RootKeyUnavailableException;
import dev.cvmfde.protocol.files.AtomicFiles;
import dev.cvmfde.protocol.secret.KeyFileException;
import dev.cvmfde.protocol.secret.KeyFileMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The default root key: 32 random bytes in a file only its owner may read. The file is read
 * once, when the key is opened; {@link #close()} zeroizes the copy in memory (as far as the JCA
 * key object allows: {@link SecretKeySpec} is not destroyable, so the bytes are kept in our own
 * array, and each operation builds its key from it).
 */
public final class FileRootKey implements RootKey {
    /** Length of a root key: AES-256. */
    public static final int ROOT_KEY_BYTES = 32;

    private final Path file;
    private final byte[] key;
    private volatile boolean closed;

    private FileRootKey(Path file, byte[] key) {
        this.file = file;
        this.key = key;
    }

    /** Reads {@code file}: mode 0600/0400, exactly 32 bytes. */
    public static FileRootKey open(Path file) throws RootKeyUnavailableException {
        try {
            KeyFileMode.requireOwnerOnly(file, "root key file");
        } catch (KeyFileException e) {
            throw new RootKeyUnavailableException("root key: " + e.getMessage(), e);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(ROOT_KEY_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new RootKeyUnavailableException("root key file " + file + " does not exist");
        } catch (IOException e) {
            throw new RootKeyUnavailableException("cannot read root key file " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length != ROOT_KEY_BYTES) {
            int n = bytes.length;
            Arrays.fill(bytes, (byte) 0);
            throw new RootKeyUnavailableException("root key file " + file + " holds " + (n > ROOT_KEY_BYTES ? "more than "
                    + ROOT_KEY_BYTES : String.valueOf(n)) + " bytes; a root key is exactly " + ROOT_KEY_BYTES
                    + " raw bytes (make one with: attestation-client root-key --out FILE)");
        }
        return new FileRootKey(file, bytes);
    }

    /** Writes 32 fresh random bytes to {@code file}, mode 0600; never overwrites. */
    public static void generate(Path file) throws IOException {
        byte[] bytes = new byte[ROOT_KEY_BYTES];
        new SecureRandom().nextBytes(bytes);
        try {
            AtomicFiles.writeNew(file, bytes, true);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    @Override
    public byte[] wrap(byte[] dek, byte[] aad) throws RootKeyUnavailableException {
        return Gcm.rootWrap(secretKey(), null, dek, aad, describe());
    }

    @Override
    public byte[] unwrap(byte[] wrapped, byte[] aad) throws RootKeyUnavailableException {
        return Gcm.rootUnwrap(secretKey(), null, wrapped, aad, describe());
    }

    private SecretKey secretKey() throws RootKeyUnavailableException {
        if (closed) {
            throw new RootKeyUnavailableException("root key " + describe() + " was closed");
        }
        return new SecretKeySpec(key, "AES");
    }

    @Override
    public String describe() {
        return "file:" + file;
    }

    @Override
    public void close() {
        closed = true;
        Arrays.fill(key, (byte) 0);
    }

    @Override
    public String toString() {
        return "FileRootKey[" + file + ", redacted]";
    }
}
