package dev.cvmfde.client.verify;

/**
 * The verification stages, in the order the verifier runs them. Every check and every
 * refusal names its stage, so a user can tell "the token was forged" from "the kernel
 * command line changed". DECODE to BINDING establish integrity: if any of them fails, the
 * claims are untrusted and FRESHNESS onwards are skipped (BASELINE, which concerns only the
 * operator's hash.json, still runs).
 */
public enum Stage {
    DECODE("decode"),
    PLATFORM_SIGNATURE("platform-signature"),
    REALM_SIGNATURE("realm-signature"),
    BINDING("binding"),
    FRESHNESS("freshness"),
    /** The hash.json signature ({@code hash.json.jws}), checked before the baseline is used. */
    BASELINE("baseline"),
    RIM("rim"),
    EVENT_LOG("event-log"),
    BOOT_COMPONENTS("boot-components"),
    POLICY("policy");

    private final String label;

    Stage(String label) {
        this.label = label;
    }

    /** The stable name used in tables, JSON and refusal messages. */
    public String label() {
        return label;
    }
}
