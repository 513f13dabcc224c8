package dev.cvmfde.imagebuilder.luks;

import dev.cvmfde.agent.luks.LuksHeaderPin;
import dev.cvmfde.agent.luks.VolumeKeyFingerprint;
import dev.cvmfde.imagebuilder.disk.AtomicOutput;
import dev.cvmfde.imagebuilder.luks.internal.HeaderImage;
import dev.cvmfde.imagebuilder.luks.internal.Luks1HeaderBuilder;
import dev.cvmfde.imagebuilder.luks.internal.Luks2HeaderBuilder;
import dev.cvmfde.imagebuilder.luks.internal.SealedKeyslot;
import dev.cvmfde.imagebuilder.luks.internal.VolumeKeyDigest;
import dev.cvmfde.imagebuilder.luks.internal.XtsStreamer;
import dev.cvmfde.protocol.secret.SecretBytes;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongConsumer;

/**
 * A new LUKS container (LUKS2 or LUKS1, aes-xts-plain64, 512-bit key): a random volume key,
 * held only in memory, plus the header that wraps it for one passphrase (the key file's
 * bytes) in keyslot 0. Write the header and stream-encrypt the payload into a file at any
 * offset, or into a new file atomically. {@link #close()} zeroizes the volume key.
 */
public final class LuksContainer implements AutoCloseable {

    private final LuksOptions options;
    private final UUID uuid;
    private final SecretBytes volumeKey;
    private final HeaderImage header;

    private LuksContainer(LuksOptions options, UUID uuid, SecretBytes volumeKey, HeaderImage header) {
        this.options = options;
        this.uuid = uuid;
        this.volumeKey = volumeKey;
        this.header = header;
    }

    /**
     * Makes a random volume key and seals it into keyslot 0 under {@code passphrase} with the
     * options' KDF. The passphrase is only read.
     */
    public static LuksContainer create(LuksOptions options, SecretBytes passphrase, SecureRandom random)
            throws LuksException {
        if (passphrase.length() == 0) {
            throw new LuksException(LuksException.Step.KDF, "the passphrase (key file) is empty");
        }
        byte[] key = new byte[LuksOptions.VOLUME_KEY_BYTES];
        random.nextBytes(key);
        SecretBytes volumeKey = SecretBytes.takeOwnership(key);
        UUID uuid = options.uuid() != null ? options.uuid() : UUID.randomUUID();
        try {
            HeaderImage header = buildHeader(options, uuid, passphrase, key, random);
            return new LuksContainer(options, uuid, volumeKey, header);
        } catch (LuksException | RuntimeException e) {
            volumeKey.close();
            throw e;
        }
    }

    private static HeaderImage buildHeader(LuksOptions options, UUID uuid, SecretBytes passphrase, byte[] key,
                                           SecureRandom random) throws LuksException {
        var afHash = Luks2HeaderBuilder.hashFor(options.kdf());
        byte[] pass = passphrase.copy();
        SealedKeyslot slot;
        try {
            slot = SealedKeyslot.seal(options.kdf(), afHash, pass, key, random);
        } finally {
            java.util.Arrays.fill(pass, (byte) 0);
        }
        return switch (options.version()) {
            case LUKS2 -> Luks2HeaderBuilder.build(options, uuid,
                    slot, VolumeKeyDigest.compute(afHash, key, afHash.length(), random), random);
            case LUKS1 -> Luks1HeaderBuilder.build(options, uuid,
                    slot, VolumeKeyDigest.compute(afHash, key, Luks1HeaderBuilder.DIGEST_BYTES, random));
        };
    }

    public LuksOptions options() {
        return options;
    }

    public UUID uuid() {
        return uuid;
    }

    /** Header size: the payload starts this many bytes after the container start. */
    public long dataOffset() {
        return options.dataOffset();
    }

    /**
     * What the fde-agent accepts as this container's header ({@code luksHeader} in agent.json):
     * the shape {@link Luks2HeaderBuilder} writes — one keyslot, one segment, this cipher, offset,
     * sector size, key size, AF hash and KDF — and the fingerprint of the volume key
     * ({@link VolumeKeyFingerprint}: a context-prefixed SHA-256, never the key). LUKS2 only.
     */
    public LuksHeaderPin headerPin() {
        if (options.version() != LuksOptions.Version.LUKS2) {
            throw new IllegalStateException("the agent validates LUKS2 headers only; this container is " + options.version());
        }
        Map<String, String> kdf = switch (options.kdf()) {
            case KdfSpec.Pbkdf2 p -> Map.of("type", p.luksName(), "hash", p.hash().luksName(),
                    "iterations", String.valueOf(p.iterations()));
            case KdfSpec.Argon2id a -> Map.of("type", a.luksName(), "time", String.valueOf(a.iterations()),
                    "memory", String.valueOf(a.memoryKiB()), "cpus", String.valueOf(a.parallelism()));
        };
        byte[] fingerprint = volumeKey.use(VolumeKeyFingerprint::of);
        return new LuksHeaderPin(LuksOptions.LUKS2_METADATA_BYTES, Luks2HeaderBuilder.CIPHER, options.dataOffset(),
                options.sectorSize(), LuksOptions.VOLUME_KEY_BYTES, Luks2HeaderBuilder.CIPHER,
                Luks2HeaderBuilder.hashFor(options.kdf()).luksName(), kdf, fingerprint);
    }

    /** Writes the header region {@code [0, dataOffset)} at {@code containerOffset} in {@code out}. */
    public void writeHeader(FileChannel out, long containerOffset) throws LuksException {
        try {
            header.writeTo(out, containerOffset);
        } catch (IOException e) {
            throw new LuksException(LuksException.Step.OUTPUT, "cannot write the LUKS header at byte "
                    + containerOffset + ": " + e.getMessage(), e);
        }
    }

    /**
     * Encrypts the payload into {@code out} at {@code containerOffset + dataOffset()}. Reads
     * exactly {@code plaintextBytes} from {@code plaintext}, then zero-fills up to
     * {@code payloadBytes}, which must be whole sectors.
     *
     * @param progress called with the payload bytes done so far, or null
     */
    public void encryptPayload(ReadableByteChannel plaintext, long plaintextBytes, long payloadBytes,
                               FileChannel out, long containerOffset, LongConsumer progress) throws LuksException {
        checkPayload(plaintextBytes, payloadBytes);
        try (XtsStreamer xts = volumeKey.use(k -> new XtsStreamer(k, options.sectorSize(), true))) {
            xts.run(plaintext, plaintextBytes, payloadBytes, out, containerOffset + options.dataOffset(), progress);
        }
    }

    /** Header then encrypted payload, at {@code containerOffset} in an existing file (e.g. a partition). */
    public void writeTo(FileChannel out, long containerOffset, ReadableByteChannel plaintext, long plaintextBytes,
                        long payloadBytes, LongConsumer progress) throws LuksException {
        checkPayload(plaintextBytes, payloadBytes);
        writeHeader(out, containerOffset);
        encryptPayload(plaintext, plaintextBytes, payloadBytes, out, containerOffset, progress);
    }

    /**
     * Writes {@code header ‖ ciphertext} as a new file {@code output}, atomically: a temp file
     * in the same directory, fsync, rename. On any failure no output (and no temp file) remains.
     */
    public void writeNewFile(Path output, ReadableByteChannel plaintext, long plaintextBytes, long payloadBytes,
                             LongConsumer progress) throws LuksException {
        checkPayload(plaintextBytes, payloadBytes);
        AtomicOutput file;
        try {
            file = AtomicOutput.create(output);
        } catch (IOException e) {
            throw new LuksException(LuksException.Step.OUTPUT, "cannot create the output beside " + output + ": "
                    + e.getMessage(), e);
        }
        try (file) {
            try (FileChannel ch = FileChannel.open(file.tempFile(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                writeTo(ch, 0, plaintext, plaintextBytes, payloadBytes, progress);
            }
            file.commit();
        } catch (IOException e) {
            throw new LuksException(LuksException.Step.OUTPUT, "cannot finish " + output + ": " + e.getMessage(), e);
        }
    }

    private void checkPayload(long plaintextBytes, long payloadBytes) throws LuksException {
        if (payloadBytes <= 0 || payloadBytes % options.sectorSize() != 0) {
            throw new LuksException(LuksException.Step.LAYOUT, "payload of " + payloadBytes + " bytes; a positive multiple of the "
                    + options.sectorSize() + "-byte sector is required (round up with LuksOptions.roundUpToSector)");
        }
        if (plaintextBytes < 0 || plaintextBytes > payloadBytes) {
            throw new LuksException(LuksException.Step.LAYOUT, "plaintext of " + plaintextBytes
                    + " bytes does not fit a payload of " + payloadBytes + " bytes");
        }
    }

    /** Zeroizes the volume key. */
    @Override
    public void close() {
        volumeKey.close();
    }

    @Override
    public String toString() {
        return "LuksContainer[" + options.version() + ", " + uuid + ", volume key redacted]";
    }
}
