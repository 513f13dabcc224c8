package dev.cvmfde.imagebuilder.rootfs;

/** A root-partition encryption that could not be done; {@link #step()} names where it stopped. */
public final class EncryptException extends Exception {
    /** The stage that failed. */
    public enum Step {
        /** The input disk's partitions: missing, overlapping, not where they must be. */
        PARTITIONS,
        /** The boot partition's file system or boot files (grub.cfg, kernels, initramfs). */
        BOOT,
        /** The input hash.json or the new one. */
        BASELINE,
        /** The agent's initramfs overlay (runtime, verifier key, configuration). */
        AGENT,
        /** An external file-system tool (mtools) failed or is missing. */
        TOOL
    }

    private final Step step;

    public EncryptException(Step step, String message) {
        super(step.name().toLowerCase(java.util.Locale.ROOT) + ": " + message);
        this.step = step;
    }

    public EncryptException(Step step, String message, Throwable cause) {
        super(step.name().toLowerCase(java.util.Locale.ROOT) + ": " + message, cause);
        this.step = step;
    }

    public Step step() {
        return step;
    }
}
