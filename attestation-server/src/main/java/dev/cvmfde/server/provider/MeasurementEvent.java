package dev.cvmfde.server.provider;

import java.nio.charset.StandardCharsets;

/**
 * An event the guest records in a runtime measurement register ({@link EvidenceProvider#extend}):
 * its data are hashed with the register's algorithm and extended, REM = H(REM ‖ H(data)). Once
 * extended, every later token of this boot carries the changed register, which the event log
 * of the boot does not replay to: a verifier refuses it at the event-log stage.
 *
 * @param rem   the register, 0 to 3 (REM[3] is CCEL MR index 4, the one the boot chain leaves
 *              to the operating system)
 * @param text  what happened, in plain ASCII; these bytes are what is hashed
 */
public record MeasurementEvent(int rem, String text) {
    /** Runtime measurement registers of a CCA realm. */
    public static final int REM_COUNT = 4;
    /** Longest event text accepted. */
    public static final int MAX_TEXT_CHARS = 256;

    /**
     * The agent's event once a released key has opened the root, before the boot continues: a
     * process in the booted guest that asks the TEE for fresh evidence gets a token that no longer
     * matches the baseline, so no verifier releases the key to it again.
     */
    public static final MeasurementEvent KEY_CONSUMED = new MeasurementEvent(3,
            "cvm-fde: key consumed: the disk key opened the root; evidence after this point must not release it");

    public MeasurementEvent {
        if (rem < 0 || rem >= REM_COUNT) {
            throw new IllegalArgumentException("measurement event: REM index " + rem + "; 0 to " + (REM_COUNT - 1)
                    + " are allowed");
        }
        if (text == null || text.isEmpty() || text.length() > MAX_TEXT_CHARS || !text.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("measurement event: the text must be 1 to " + MAX_TEXT_CHARS
                    + " printable ASCII characters");
        }
    }

    /** The bytes that are hashed and extended. */
    public byte[] data() {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
