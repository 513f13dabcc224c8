package dev.cvmfde.imagebuilder.luks;

import dev.cvmfde.protocol.secret.KeyFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Random;

/** Builds the inputs the LUKS tests feed in: key files, plaintext images, containers. */
final class LuksTestFiles {

    private LuksTestFiles() {
    }

    /** A raw 32-byte key file (virtCCA form), written 0600. */
    static Path rawKey(Path dir, String name) throws Exception {
        Path p = dir.resolve(name);
        try (KeyFile k = KeyFile.generateRaw(new SecureRandom())) {
            k.writeNew(p);
        }
        return p;
    }

    /** IBM's DEK form: base64 on one line. */
    static Path dekKey(Path dir, String name) throws Exception {
        Path p = dir.resolve(name);
        try (KeyFile k = KeyFile.generateDek(new SecureRandom())) {
            k.writeNew(p);
        }
        return p;
    }

    static Path randomFile(Path dir, String name, int bytes, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        return Files.write(dir.resolve(name), data);
    }

    /** Encrypts {@code plain} into a new container file with {@code options}. */
    static Path encrypt(LuksOptions options, Path keyFile, Path plain, Path out) throws Exception {
        long size = Files.size(plain);
        try (KeyFile key = KeyFile.read(keyFile);
             LuksContainer luks = LuksContainer.create(options, key.passphrase(), new SecureRandom());
             FileChannel in = FileChannel.open(plain, StandardOpenOption.READ)) {
            luks.writeNewFile(out, in, size, options.roundUpToSector(size), null);
        }
        return out;
    }

    /** Payload bytes of a container, decrypted with {@code volumeKey} by the reference XTS. */
    static byte[] decryptWithReference(Path container, byte[] volumeKey, LuksOptions options, int payloadBytes)
            throws IOException {
        byte[] data = new byte[payloadBytes];
        try (FileChannel ch = FileChannel.open(container)) {
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(data);
            long pos = options.dataOffset();
            while (bb.hasRemaining()) {
                int n = ch.read(bb, pos);
                if (n < 0) {
                    throw new IOException("container shorter than its payload");
                }
                pos += n;
            }
        }
        ReferenceXts.decryptPayload(volumeKey, data, options.sectorSize(), 0);
        return data;
    }
}
