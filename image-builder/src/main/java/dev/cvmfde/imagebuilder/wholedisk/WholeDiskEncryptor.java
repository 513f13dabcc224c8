package dev.cvmfde.imagebuilder.wholedisk;

import dev.cvmfde.imagebuilder.disk.AtomicOutput;
import dev.cvmfde.imagebuilder.disk.DiskReadChannel;
import dev.cvmfde.imagebuilder.disk.VirtualDisk;
import dev.cvmfde.imagebuilder.disk.VirtualDisks;
import dev.cvmfde.imagebuilder.luks.KdfSpec;
import dev.cvmfde.imagebuilder.luks.LuksContainer;
import dev.cvmfde.imagebuilder.luks.LuksException;
import dev.cvmfde.imagebuilder.luks.LuksOptions;
import dev.cvmfde.protocol.secret.KeyFile;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * IBM's whole-disk flow in one pass: the input disk (raw, qcow2, fixed or dynamic VHD, read
 * directly) becomes the payload of a LUKS container with a 4 MiB header whose total size is
 * input + 4 MiB rounded up to whole MiB ({@link LuksOptions#payloadRoundedToMiB}); the tail
 * beyond the input is encrypted zeros. The output is raw, written atomically.
 */
public final class WholeDiskEncryptor {
    private WholeDiskEncryptor() {
    }

    /**
     * Encrypts {@code input} into {@code output} with the DEK as keyslot passphrase.
     *
     * @param luks1 LUKS1 instead of LUKS2 (LUKS1 is PBKDF2 only)
     */
    public static WholeDiskResult encrypt(Path input, KeyFile dek, Path output, boolean luks1, KdfSpec kdf,
                                          LongConsumer progress) throws IOException, LuksException {
        LuksOptions options = (luks1 ? LuksOptions.luks1() : LuksOptions.luks2().withKdf(kdf))
                .withDataOffset(LuksOptions.WHOLE_DISK_DATA_OFFSET);
        try (VirtualDisk in = VirtualDisks.open(input);
             AtomicOutput out = AtomicOutput.create(output, List.of(input))) {
            long payload = options.payloadRoundedToMiB(in.size());
            long total = options.containerSize(payload);
            try (LuksContainer luks = LuksContainer.create(options, dek.passphrase(), new SecureRandom());
                 RandomAccessFile file = new RandomAccessFile(out.tempFile().toFile(), "rw");
                 DiskReadChannel plain = new DiskReadChannel(in, 0, in.size())) {
                file.setLength(total);
                luks.writeTo(file.getChannel(), 0, plain, in.size(), payload, progress);
                out.commit();
                return new WholeDiskResult(out.target(), in.format(), in.size(), total, luks.uuid(),
                        options.version().name());
            }
        }
    }
}
