package dev.cvmfde.imagebuilder.luks;

/**
 * A LUKS container could not be written. {@link #step()} names the check or stage that failed;
 * messages say what was expected and what came, and never contain key material.
 */
public final class LuksException extends Exception {

    /** Where writing a container failed. */
    public enum Step {
        /** The options or sizes asked for are not a valid LUKS container. */
        LAYOUT,
        /** Deriving the keyslot key failed (e.g. argon2id memory does not fit the heap). */
        KDF,
        /** The plaintext payload was shorter or longer than declared, or unreadable. */
        INPUT,
        /** The output could not be created or written (unwritable, disk full). */
        OUTPUT
    }

    private final Step step;

    public LuksException(Step step, String message) {
        super(step.name().toLowerCase(java.util.Locale.ROOT) + ": " + message);
        this.step = step;
    }

    public LuksException(Step step, String message, Throwable cause) {
        super(step.name().toLowerCase(java.util.Locale.ROOT) + ": " + message, cause);
        this.step = step;
    }

    public Step step() {
        return step;
    }
}
