package dev.cvmfde.protocol.secret;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The mode check every reader of secret key material makes before reading it (LUKS key files,
 * root keys, the verifier's signing JWK, simulated identity private keys, baseline signing
 * keys): a key file that its group or others may read is refused, as ssh refuses such a
 * private key. The permissions of the file a symbolic link points to are the ones checked. A
 * file system without POSIX permissions cannot be checked, so it is refused too (fail closed).
 */
public final class KeyFileMode {
    /** The permissions that make a key file unusable. */
    private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private KeyFileMode() {
    }

    /**
     * @param what what the file holds, for the message ("key file", "signing key", "root key file")
     * @throws KeyFileModeException if group or others have any permission on {@code file}, or its
     *     permissions cannot be read
     * @throws KeyFileException if it does not exist or cannot be read
     */
    public static void requireOwnerOnly(Path file, String what) throws KeyFileException {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            throw new KeyFileModeException(file, "unknown", what + " " + file
                    + " is on a file system without POSIX permissions; cannot check that only its owner can read it");
        } catch (NoSuchFileException e) {
            throw new KeyFileException(what + " " + file + " does not exist");
        } catch (IOException e) {
            throw new KeyFileException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
        if (perms.stream().anyMatch(NOT_OWNER::contains)) {
            String mode = octal(perms) + " (" + PosixFilePermissions.toString(perms) + ")";
            throw new KeyFileModeException(file, mode, what + " " + file + " has mode " + mode
                    + ": group or others may access it, so it may no longer be secret; only the owner may read a key"
                    + " (run: chmod 600 " + file + ")");
        }
    }

    /** {@code 0644} for rw-r--r--. */
    static String octal(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission p : perms) {
            mode |= 1 << (8 - p.ordinal());
        }
        return String.format("0%03o", mode);
    }
}
