package dev.cvmfde.imagebuilder.luks.internal;

import dev.cvmfde.imagebuilder.luks.HashAlgorithm;
import dev.cvmfde.imagebuilder.luks.KdfSpec;
import dev.cvmfde.imagebuilder.luks.LuksException;
import dev.cvmfde.imagebuilder.luks.LuksOptions;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * One keyslot's on-disk pieces: the KDF salt and the volume key, anti-forensically split and
 * encrypted with aes-xts-plain64 under the passphrase-derived key (512-byte units, IVs counted
 * from 0 at the start of the keyslot area, as cryptsetup does for LUKS1 and LUKS2).
 */
public record SealedKeyslot(KdfSpec kdf, HashAlgorithm afHash, byte[] salt, byte[] material) {

    /** LUKS salt length for keyslots and digests. */
    public static final int SALT_BYTES = 32;
    private static final int KEYSLOT_SECTOR = 512;

    public static SealedKeyslot seal(KdfSpec kdf, HashAlgorithm afHash, byte[] passphrase, byte[] volumeKey,
                                     SecureRandom random) throws LuksException {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] split = AfSplitter.split(volumeKey, LuksOptions.AF_STRIPES, afHash, random);
        byte[] slotKey = KeyDerivation.derive(kdf, passphrase, salt, volumeKey.length);
        try (AesXts xts = new AesXts(slotKey, KEYSLOT_SECTOR, true)) {
            xts.process(split, 0, split, 0, split.length, 0, 1);
        } finally {
            Arrays.fill(slotKey, (byte) 0);
        }
        return new SealedKeyslot(kdf, afHash, salt, split);
    }

    /** Recovers the volume key with {@code passphrase} (for verification); the caller zeroizes it. */
    public byte[] open(byte[] passphrase, int keyLength) throws LuksException {
        byte[] slotKey = KeyDerivation.derive(kdf, passphrase, salt, keyLength);
        byte[] split = material.clone();
        try (AesXts xts = new AesXts(slotKey, KEYSLOT_SECTOR, false)) {
            xts.process(split, 0, split, 0, split.length, 0, 1);
            return AfSplitter.merge(split, keyLength, LuksOptions.AF_STRIPES, afHash);
        } finally {
            Arrays.fill(slotKey, (byte) 0);
            Arrays.fill(split, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "SealedKeyslot[" + kdf + ", af=" + afHash.luksName() + ", material redacted]";
    }
}
