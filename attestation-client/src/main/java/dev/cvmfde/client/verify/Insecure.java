package dev.cvmfde.client.verify;

import java.util.Arrays;
import java.util.Optional;

/**
 * The checks an operator may skip, each only by naming it. The verifier fails closed: a check
 * that could not run (no reference RIM, no baseline, an unsigned baseline, a baseline without
 * {@code cmdline}, no event log, no expected challenge) refuses, unless the {@code --insecure-…}
 * option named here was given; then the check is SKIPPED and every output says so in capitals.
 */
public enum Insecure {
    /** No reference RIM ({@code --rim} or hash.json {@code "rim"}): the realm's initial measurement is not appraised. */
    NO_RIM("--insecure-no-rim", "a reference RIM (--rim, or \"rim\" in the signed hash.json)",
            "the realm initial measurement (RIM) is not compared with a reference"),
    /** No hash.json: the event log's boot components are not appraised. */
    NO_BASELINE("--insecure-no-baseline", "a baseline (--baseline hash.json)",
            "no baseline: the boot components (grub, kernel, initramfs, command line) "
            + "are not appraised"),
    /** hash.json without a pinned signer (or the signer check is skipped): anyone who can write the file chose it. */
    UNSIGNED_BASELINE("--insecure-unsigned-baseline",
            "hash.json signed by a pinned key (--baseline-signer)", "the baseline's signature is not checked: whoever could write "
            + "hash.json chose the reference values"),
    /** hash.json without {@code "cmdline"}: the kernel command line is not pinned. */
    NO_CMDLINE("--insecure-no-cmdline", "a \"cmdline\" in hash.json",
            "the kernel command line is not pinned (hash.json has no \"cmdline\")"),
    /** Evidence without an event log: the REMs are not replayed, the boot components not appraised. */
    NO_EVENT_LOG("--insecure-no-event-log", "an event log with the evidence",
            "no event log: the REMs are not replayed"),
    /** TPM evidence: hash.json has no golden firmware PCRs ({@code "tpm"}): PCRs 0–3 and 7 are not compared. */
    NO_FIRMWARE_PCRS("--insecure-no-firmware-pcrs", "golden firmware PCRs (\"tpm\" in the signed hash.json)",
            "the firmware PCRs 0-3 and 7 are not compared: any firmware and Secure Boot state passes"),
    /** {@code verify} only: the realm challenge is not compared (offline inspection of old evidence). */
    NO_FRESHNESS("--insecure-no-freshness", "an expected challenge",
            "freshness not checked: the evidence may be a replay");

    private final String option;
    private final String required;
    private final String risk;

    Insecure(String option, String required, String risk) {
        this.option = option;
        this.required = required;
        this.risk = risk;
    }

    /** What the check needs, for the EXPECTED column of a refusal. */
    public String required() {
        return required;
    }

    /** The command-line option that allows skipping this check. */
    public String option() {
        return option;
    }

    /** What is not proved when this check is skipped. */
    public String risk() {
        return risk;
    }

    /** The constant whose {@link #option()} is {@code option}. */
    public static Optional<Insecure> byOption(String option) {
        return Arrays.stream(values()).filter(i -> i.option.equals(option)).findFirst();
    }
}
