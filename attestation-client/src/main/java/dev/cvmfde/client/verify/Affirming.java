package dev.cvmfde.client.verify;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.token.CollectionForm;
import dev.cvmfde.protocol.token.PlatformClaims;
import dev.cvmfde.protocol.token.RealmClaims;
import dev.cvmfde.protocol.wire.ChallengeBinding;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Evidence that passed every check: its claims are verified (signatures, RAK binding; for TPM
 * evidence EK chain, credential activation, quote signature) and appraised (freshness, RIM or
 * firmware PCRs, event log, boot components, policy). Only {@link Verifier} can make one; key
 * release accepts nothing else. Before releasing to an ephemeral key, call
 * {@link #isBoundTo(byte[], ECKey)}: it holds only if the verified challenge (the realm challenge,
 * or the quote's qualifying data) is {@code ChallengeBinding.challenge(nonce, ephemeralKey)}.
 */
public final class Affirming implements Appraisal {
    private final Stage.Kind kind;
    private final CollectionForm form;
    private final Optional<PlatformClaims> platformClaims;
    private final RealmClaims realmClaims;
    private final byte[] challenge;
    private final List<Check> checks;
    private final boolean simulated;
    private final boolean freshnessChecked;

    Affirming(CollectionForm form, Optional<PlatformClaims> platformClaims, RealmClaims realmClaims,
            List<Check> checks, boolean simulated, boolean freshnessChecked) {
        this(Stage.Kind.CCA, Objects.requireNonNull(form), platformClaims, Objects.requireNonNull(realmClaims),
                realmClaims.challenge(), checks, simulated, freshnessChecked);
    }

    /** TPM evidence: {@code qualifyingData} is the verified quote's. */
    Affirming(byte[] qualifyingData, List<Check> checks, boolean freshnessChecked) {
        this(Stage.Kind.TPM, null, Optional.empty(), null, qualifyingData, checks, false, freshnessChecked);
    }

    private Affirming(Stage.Kind kind, CollectionForm form, Optional<PlatformClaims> platformClaims,
            RealmClaims realmClaims, byte[] challenge, List<Check> checks, boolean simulated, boolean freshnessChecked) {
        this.kind = kind;
        this.form = form;
        this.platformClaims = Objects.requireNonNull(platformClaims);
        this.realmClaims = realmClaims;
        this.challenge = challenge.clone();
        this.checks = List.copyOf(checks);
        this.simulated = simulated;
        this.freshnessChecked = freshnessChecked;
        if (this.checks.stream().anyMatch(Check::failed)) {
            throw new IllegalArgumentException("an affirming appraisal cannot hold a failed check");
        }
    }

    /** CCA (a token) or TPM (a quote). */
    public Stage.Kind kind() {
        return kind;
    }

    private void requireCca(String what) {
        if (kind != Stage.Kind.CCA) {
            throw new IllegalStateException(what + " exists for CCA evidence only; this is TPM evidence");
        }
    }

    @Override
    public List<Check> checks() {
        return checks;
    }

    /** The outer token form (CCA evidence only). */
    public CollectionForm form() {
        requireCca("the token form");
        return form;
    }

    /** The verified platform claims; absent for virtCCA cVM-only tokens (the AIK signed the cVM token). */
    public Optional<PlatformClaims> platformClaims() {
        return platformClaims;
    }

    /** The verified realm (cVM) claims: RIM, REMs, RAK, personalization value, challenge (CCA evidence only). */
    public RealmClaims realmClaims() {
        requireCca("realm claims");
        return realmClaims;
    }

    /**
     * The checks skipped on the operator's request ({@code --insecure-…}), in check order: this
     * result proves nothing about what they would have checked.
     */
    public List<Insecure> insecure() {
        return checks.stream().flatMap(c -> c.waiver().stream()).distinct().toList();
    }

    /** True when the trust anchor is the simulated TEE's (the operator's --simulated-anchor; the checks flag it). */
    public boolean simulated() {
        return simulated;
    }

    /** False when the caller opted out of the freshness check: then this result proves nothing about replay. */
    public boolean freshnessChecked() {
        return freshnessChecked;
    }

    /** The verified 64-byte challenge (a copy): the realm challenge, or the TPM quote's qualifying data. */
    public byte[] realmChallenge() {
        return challenge.clone();
    }

    /**
     * True only when the verified realm challenge equals {@code ChallengeBinding.challenge(nonce,
     * ephemeralKey)} (constant time): the evidence was made for this nonce and this ephemeral key.
     */
    public boolean isBoundTo(byte[] nonce, ECKey ephemeralKey) {
        byte[] expected = ChallengeBinding.challenge(nonce, ephemeralKey);
        return MessageDigest.isEqual(challenge, expected);
    }

    @Override
    public String toString() {
        return "Affirming[" + (kind == Stage.Kind.TPM ? "TPM quote" : form + (platformClaims.isEmpty() ? ", cVM only" : "")) + ", " + checks.size() + " checks"
                + (simulated ? ", SIMULATED TEE" : "") + (freshnessChecked ? "" : ", freshness NOT checked")
                + (insecure().isEmpty() ? "" : ", INSECURE " + insecure().stream().map(Insecure::option).toList()) + "]";
    }
}
