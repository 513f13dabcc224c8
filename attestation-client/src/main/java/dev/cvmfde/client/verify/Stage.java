package dev.cvmfde.client.verify;

/**
 * The verification stages, in the order the verifier runs them. Every check and every
 * refusal names its stage, so a user can tell "the token was forged" from "the kernel
 * command line changed". For CCA evidence DECODE to BINDING establish integrity: if any of them
 * fails, the claims are untrusted and FRESHNESS onwards are skipped (BASELINE, which concerns only
 * the operator's hash.json, still runs). TPM evidence (docs/tpm-evidence.md) has its own integrity
 * stages (EK_CERTIFICATE to QUOTE_SIGNATURE) and its own PCR stages; both kinds share DECODE,
 * FRESHNESS, BASELINE, EVENT_LOG, BOOT_COMPONENTS and POLICY.
 */
public enum Stage {
    DECODE("decode", Kind.BOTH),
    PLATFORM_SIGNATURE("platform-signature", Kind.CCA),
    REALM_SIGNATURE("realm-signature", Kind.CCA),
    BINDING("binding", Kind.CCA),
    /** TPM: the EK certificate chains to the pinned root ({@code --tpm-ek-root}). */
    EK_CERTIFICATE("ek-certificate", Kind.TPM),
    /** TPM: the AK lives in the TPM of that EK (credential activation). */
    AK_ACTIVATION("ak-activation", Kind.TPM),
    /** TPM: the quote is the TPM's, signed by the AK, and its PCR digest is that of the reported PCRs. */
    QUOTE_SIGNATURE("quote-signature", Kind.TPM),
    FRESHNESS("freshness", Kind.BOTH),
    /** The hash.json signature ({@code hash.json.jws}), checked before the baseline is used. */
    BASELINE("baseline", Kind.BOTH),
    RIM("rim", Kind.CCA),
    /** TPM: the quote covers the sha256 PCRs the boot measures, and every PCR the log measures into. */
    PCR_SELECTION("pcr-selection", Kind.TPM),
    EVENT_LOG("event-log", Kind.BOTH),
    /** TPM: PCRs 0–3 and 7 equal the baseline's golden values. */
    FIRMWARE_PCRS("firmware-pcrs", Kind.TPM),
    BOOT_COMPONENTS("boot-components", Kind.BOTH),
    POLICY("policy", Kind.BOTH);

    /** Which evidence kind a stage belongs to. */
    public enum Kind { CCA, TPM, BOTH }

    private final String label;
    private final Kind kind;

    Stage(String label, Kind kind) {
        this.label = label;
        this.kind = kind;
    }

    /** The stable name used in tables, JSON and refusal messages. */
    public String label() {
        return label;
    }

    /** True if evidence of {@code evidence} (CCA or TPM) runs this stage. */
    public boolean appliesTo(Kind evidence) {
        return kind == Kind.BOTH || kind == evidence;
    }
}
