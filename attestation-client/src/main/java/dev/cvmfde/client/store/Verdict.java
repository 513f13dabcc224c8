package dev.cvmfde.client.store;

/** What happened to one key request, as the audit trail records it. */
public enum Verdict {
    /** Every check passed and the key was sealed to the guest. */
    RELEASED,
    /** No key left: the evidence failed a check, the image is unknown, or the store or root key failed. */
    REFUSED;

    /** The lower-case word in the trail ({@code released}, {@code refused}). */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
