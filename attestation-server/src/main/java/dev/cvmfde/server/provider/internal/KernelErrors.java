package dev.cvmfde.server.provider.internal;

import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceException.Kind;

/**
 * Turns an exact errno from a provider's system call into an {@link EvidenceException}: a kind a
 * program can act on, and a message that says which step failed, what the kernel meant, and what
 * the operator can do.
 */
public final class KernelErrors {

    private KernelErrors() {
    }

    /** The kind a given errno falls into, whatever the provider. */
    public static Kind kindOf(int errno) {
        return switch (errno) {
            case Errno.ENOENT, Errno.ENOTDIR, Errno.ENXIO, Errno.ENODEV, Errno.ENOTTY -> Kind.UNAVAILABLE;
            case Errno.EACCES, Errno.EPERM -> Kind.PERMISSION_DENIED;
            case Errno.EBUSY, Errno.EAGAIN -> Kind.BUSY;
            case Errno.EINVAL, Errno.EIO, Errno.EFAULT -> Kind.REJECTED;
            case Errno.EFBIG -> Kind.TOO_LARGE;
            default -> Kind.IO;
        };
    }

    /** What the errno means for the step, and what to do about it. */
    static String advice(int errno) {
        return switch (errno) {
            case Errno.ENOENT, Errno.ENOTDIR -> "the path does not exist on this machine";
            case Errno.ENXIO, Errno.ENODEV ->
                    "no TSM/TEE driver is registered with the kernel; load the guest driver"
                            + " (arm-cca-guest, tdx-guest, sev-guest, or virtCCA's tmm_driver)";
            case Errno.ENOTTY -> "the device does not know this request: it is not the driver we expected";
            case Errno.EACCES, Errno.EPERM -> "permission denied; the attestation interfaces are root-only, run as root";
            case Errno.EBUSY, Errno.EAGAIN -> "the kernel is busy with this report (too many writes without a read,"
                    + " or another process is using it); retry, and run only one attestation agent";
            case Errno.EINVAL -> "the kernel refused the request as invalid (configfs-tsm needs a 1..64-byte inblob"
                    + " written before outblob is read; some TSMs also have a minimum, Arm CCA takes 32..64)";
            case Errno.EIO -> "the TEE firmware failed to produce the report; see dmesg";
            case Errno.EFAULT -> "the kernel could not copy the request; this is a bug in the caller's struct layout";
            case Errno.EFBIG -> "the report is larger than the kernel or our limit allows; this TSM provider,"
                    + " driver and attestation library do not fit together, contact the platform provider";
            default -> "unexpected error";
        };
    }

    /** The exception for a failed step of {@code provider}. */
    public static EvidenceException toEvidenceException(String provider, String step, ErrnoException e) {
        return new EvidenceException(kindOf(e.errno()),
                provider + ": " + step + " failed: " + e.getMessage() + ": " + advice(e.errno()), e);
    }
}
