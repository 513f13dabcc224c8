package dev.cvmfde.client.verify;

import dev.cvmfde.client.verify.internal.AppraisalStages;
import dev.cvmfde.client.verify.internal.BaselineStage;
import dev.cvmfde.client.verify.internal.BootComponentStage;
import dev.cvmfde.client.verify.internal.FailClosed;
import dev.cvmfde.client.verify.internal.IntegrityStages;
import dev.cvmfde.client.verify.internal.PolicyStages;
import dev.cvmfde.client.verify.internal.TpmStages;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.compare.BaselineComparator;
import dev.cvmfde.protocol.token.RealmClaims;
import dev.cvmfde.protocol.token.UnverifiedCcaToken;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.hashjson.Baseline;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies CCA / virtCCA evidence and appraises it, stage by stage in {@link Stage} order, and
 * returns an {@link Appraisal}. Every stage that can run does, so a refusal lists every failed
 * check; but once an integrity stage (decode, signatures, binding) fails, the claims are
 * untrusted and the appraisal stages are SKIPPED with that reason, never passed. It fails
 * closed: a check that could not run (no RIM, no baseline, an unsigned baseline, no
 * {@code cmdline}, no event log) refuses unless its {@link Insecure} option was given.
 *
 * <pre>{@code
 * Appraisal a = Verifier.appraise(EvidenceInput.builder(token, TrustAnchor.load(anchorFile))
 *         .expectedChallenge(nonce, ephemeralKey).referenceRim(rim).eventLog(log).baseline(signedHashJson).build());
 * switch (a) {
 *     case Affirming ok -> release(ok);
 *     case Refused no -> log(no.summary());
 * }
 * }</pre>
 */
public final class Verifier {

    private Verifier() {
    }

    /**
     * Verifies {@code input}. Bad evidence gives {@link Refused}; only a fault of the verifier or
     * its configuration (an unparseable hash.json) throws.
     */
    public static Appraisal appraise(EvidenceInput input) throws VerifierException {
        List<Check> checks = new ArrayList<>();
        Set<Insecure> waived = waivers(input);
        Optional<UnverifiedCcaToken> decoded = IntegrityStages.decode(input.token(), checks);
        if (decoded.isEmpty()) {
            skip(checks, Stage.PLATFORM_SIGNATURE, Stage.FRESHNESS, "the token could not be decoded");
            BaselineStage.check(input.baseline(), checks);
            skip(checks, Stage.RIM, Stage.POLICY, "the token could not be decoded");
            return new Refused(FailClosed.apply(checks, waived));
        }
        UnverifiedCcaToken token = decoded.get();
        boolean platform = IntegrityStages.platform(token, input.trustAnchor(), input.validationTime(), checks);
        boolean realm = IntegrityStages.realm(token, input.trustAnchor(), checks);
        boolean binding = IntegrityStages.binding(token, input.trustAnchor(), checks);
        if (!(platform && realm && binding)) {
            String why = "claims are untrusted: " + (!platform ? Stage.PLATFORM_SIGNATURE : !realm ? Stage.REALM_SIGNATURE
                    : Stage.BINDING).label() + " failed";
            skip(checks, Stage.FRESHNESS, Stage.FRESHNESS, why);
            BaselineStage.check(input.baseline(), checks);
            skip(checks, Stage.RIM, Stage.POLICY, why);
            return new Refused(FailClosed.apply(checks, waived));
        }
        RealmClaims claims = token.realm().unverifiedClaims();
        AppraisalStages.freshness(claims, input.freshness(), checks);
        Optional<Baseline> baseline = BaselineStage.check(input.baseline(), checks);
        AppraisalStages.rim(claims, PolicyStages.referenceRim(input.referenceRim(), baseline, checks), checks);
        Optional<List<LogEvent>> events = AppraisalStages.eventLog(claims, input.eventLog(),
                input.baseline().isPresent(), checks);
        bootComponents(input.baseline().isPresent(), baseline, input.eventLog().isPresent(), events,
                "the event log is missing, does not replay to the REMs or holds MR-0 events: its events prove nothing",
                (ev, out) -> BootComponentStage.check(ev, claims, baseline.get(), out), checks);
        AppraisalStages.policy(token, input.simulatedAnchor(), checks);
        PolicyStages.baselineSimulated(baseline, input.simulatedAnchor(), checks);
        List<Check> decided = FailClosed.apply(checks, waived);
        if (decided.stream().anyMatch(Check::failed)) {
            return new Refused(decided);
        }
        return new Affirming(token.form(), token.platform().map(p -> p.unverifiedClaims()), claims, decided,
                input.simulatedAnchor(), input.freshness() instanceof Freshness.Expected);
    }

    /**
     * Verifies TPM evidence (docs/tpm-evidence.md) through the same kind of stages: decode →
     * EK certificate → AK activation → quote signature and PCR digest → freshness → baseline → PCR
     * selection → event-log replay → firmware PCRs → boot components (the same allow-list as CCA) →
     * policy. Fails closed like {@link #appraise(EvidenceInput)}.
     */
    public static Appraisal appraise(TpmEvidenceInput input) throws VerifierException {
        List<Check> checks = new ArrayList<>();
        Set<Insecure> waived = input.insecure().isEmpty() ? EnumSet.noneOf(Insecure.class)
                : EnumSet.copyOf(input.insecure());
        if (input.freshness() instanceof Freshness.NotChecked) {
            waived.add(Insecure.NO_FRESHNESS);
        }
        Optional<TpmStages.Decoded> decoded = TpmStages.decode(input.token(), checks);
        if (decoded.isEmpty()) {
            skipTpm(checks, Stage.EK_CERTIFICATE, Stage.FRESHNESS, "the TPM evidence could not be decoded");
            BaselineStage.check(input.baseline(), checks);
            skipTpm(checks, Stage.PCR_SELECTION, Stage.POLICY, "the TPM evidence could not be decoded");
            return new Refused(FailClosed.apply(checks, waived));
        }
        TpmStages.Decoded d = decoded.get();
        boolean ek = TpmStages.ekCertificate(input.certChain(), input.ekRoot(), input.validationTime(), checks);
        boolean ak = switch (input.activation()) {
            case CredentialActivation.Answered a -> TpmStages.akActivation(true, a.expected(), a.returned(), a.akName(),
                    d, "", checks);
            case CredentialActivation.NotDone n -> TpmStages.akActivation(false, new byte[0], new byte[0], new byte[0],
                    d, n.reason(), checks);
        };
        boolean quote = TpmStages.quoteSignature(d, checks);
        if (!(ek && ak && quote)) {
            String why = "the quote is untrusted: " + (!ek ? Stage.EK_CERTIFICATE : !ak ? Stage.AK_ACTIVATION
                    : Stage.QUOTE_SIGNATURE).label() + " failed";
            skipTpm(checks, Stage.FRESHNESS, Stage.FRESHNESS, why);
            BaselineStage.check(input.baseline(), checks);
            skipTpm(checks, Stage.PCR_SELECTION, Stage.POLICY, why);
            return new Refused(FailClosed.apply(checks, waived));
        }
        TpmStages.freshness(d.quote(), input.freshness(), checks);
        Optional<Baseline> baseline = BaselineStage.check(input.baseline(), checks);
        boolean selection = TpmStages.pcrSelection(d.quote(), TpmStages.parseLog(input.eventLog()), checks);
        Optional<List<LogEvent>> events = selection
                ? TpmStages.eventLog(input.eventLog(), d, input.baseline().isPresent(), checks) : Optional.empty();
        if (!selection) {
            checks.add(Check.skipped(Stage.EVENT_LOG, "replay", "the PCR selection is refused"));
        }
        if (selection) {
            TpmStages.firmwarePcrs(baseline, d, checks);
        } else {
            checks.add(Check.skipped(Stage.FIRMWARE_PCRS, "firmware-pcrs", "the PCR selection is refused"));
        }
        bootComponents(input.baseline().isPresent(), baseline, input.eventLog().isPresent(), events,
                "the event log is refused (selection or replay): its events prove nothing",
                (ev, out) -> BootComponentStage.check(BaselineComparator.toMrIndices(ev), DigestAlgorithm.SHA256,
                        "sha256 (the quoted PCR bank)", baseline.get(), out), checks);
        PolicyStages.baselineSimulated(baseline, false, checks);
        List<Check> decided = FailClosed.apply(checks, waived);
        if (decided.stream().anyMatch(Check::failed)) {
            return new Refused(decided);
        }
        return new Affirming(d.quote().extraData(), decided, input.freshness() instanceof Freshness.Expected);
    }

    private static void skipTpm(List<Check> checks, Stage from, Stage to, String why) {
        for (Stage s : Stage.values()) {
            if (s.appliesTo(Stage.Kind.TPM) && s.compareTo(from) >= 0 && s.compareTo(to) <= 0) {
                checks.add(Check.skipped(s, s.label(), why));
            }
        }
    }

    /** The operator's waivers; opting out of freshness ({@code withoutFreshness}) is itself the waiver. */
    private static Set<Insecure> waivers(EvidenceInput input) {
        Set<Insecure> w = input.insecure().isEmpty() ? EnumSet.noneOf(Insecure.class) : EnumSet.copyOf(input.insecure());
        if (input.freshness() instanceof Freshness.NotChecked) {
            w.add(Insecure.NO_FRESHNESS);
        }
        return w;
    }

    /**
     * BOOT_COMPONENTS for either kind: refused or skipped with the reason when the baseline, its
     * signature, the log or its replay is missing; else {@code appraise} adds the stage's checks.
     */
    private static void bootComponents(boolean baselineGiven, Optional<Baseline> baseline, boolean logGiven,
            Optional<List<LogEvent>> events, String logRefused, java.util.function.BiConsumer<List<LogEvent>,
                    List<Check>> appraise, List<Check> checks) {
        if (!baselineGiven) {
            checks.add(Check.unchecked(Stage.BOOT_COMPONENTS, "boot-components", Insecure.NO_BASELINE,
                    "no baseline given (--baseline)"));
        } else if (baseline.isEmpty()) {
            checks.add(Check.skipped(Stage.BOOT_COMPONENTS, "boot-components",
                    "the hash.json signature failed: the baseline is not used"));
        } else if (!logGiven) {
            checks.add(Check.unchecked(Stage.BOOT_COMPONENTS, "boot-components", Insecure.NO_EVENT_LOG,
                    "no event log: the boot components cannot be read"));
        } else if (events.isEmpty()) {
            checks.add(Check.skipped(Stage.BOOT_COMPONENTS, "boot-components", logRefused));
        } else {
            List<Check> stage = new ArrayList<>();
            appraise.accept(events.get(), stage);
            checks.addAll(PolicyStages.requireCmdline(baseline.get(), stage));
        }
    }

    /** Marks the CCA stages {@code from} to {@code to} (inclusive) as skipped. */
    private static void skip(List<Check> checks, Stage from, Stage to, String why) {
        for (Stage s : Stage.values()) {
            if (s.appliesTo(Stage.Kind.CCA) && s.compareTo(from) >= 0 && s.compareTo(to) <= 0) {
                checks.add(Check.skipped(s, s.label(), why));
            }
        }
    }
}
