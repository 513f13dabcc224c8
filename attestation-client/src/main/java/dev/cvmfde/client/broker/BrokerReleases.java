package dev.cvmfde.client.broker;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.client.release.KeyRelease;
import dev.cvmfde.client.release.ReleasePolicy;
import dev.cvmfde.client.store.AuditEvent;
import dev.cvmfde.client.store.ImageId;
import dev.cvmfde.client.store.ImageStore;
import dev.cvmfde.client.store.StoreException;
import dev.cvmfde.client.store.StoredBaseline;
import dev.cvmfde.client.store.UnknownImageException;
import dev.cvmfde.client.store.Verdict;
import dev.cvmfde.client.verify.Affirming;
import dev.cvmfde.client.verify.Appraisal;
import dev.cvmfde.client.verify.Check;
import dev.cvmfde.client.verify.Insecure;
import dev.cvmfde.client.verify.Refused;
import dev.cvmfde.client.verify.TrustAnchor;
import dev.cvmfde.client.verify.Verifier;
import dev.cvmfde.client.verify.VerifierException;
import dev.cvmfde.protocol.wire.Evidence;
import dev.cvmfde.protocol.wire.WireLimits;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The broker's decision for one guest, exactly as in push mode: the nonce must be one a broker
 * holding the same nonce key issued for this image and not expired; the evidence is appraised by
 * the strict, fail-closed {@link Verifier} (freshness = the nonce bound to the evidence's
 * ephemeral key) against each baseline the store accepts for the image now, each checked against
 * the broker's own pinned baseline signer; only an {@link Affirming} result gets the image's key,
 * sealed by {@link KeyRelease#seal} inside {@link ImageStore#release} (the audit record and the
 * key leave in one step). Every refusal is appended to the audit trail before the answer goes out.
 * Thread-safe; holds no session state.
 */
public final class BrokerReleases {
    /** Stage named to the guest when its nonce is not accepted (it asks for a new one). */
    public static final String NONCE_STAGE = "nonce";
    /** Stage named to the guest when the store has no such image or accepts no baseline for it now. */
    public static final String IMAGE_STAGE = "image";
    /** Stage named when the store or root key failed while releasing (fail closed). */
    public static final String STORE_STAGE = "store";

    private final ImageStore store;
    private final BrokerNonces nonces;
    private final TrustAnchor anchor;
    private final boolean simulatedAnchor;
    private final ECKey baselineSigner;
    private final Optional<byte[]> referenceRim;
    private final Set<Insecure> insecure;
    private final KeyRelease.Signer signer;
    private final Clock clock;

    /**
     * @param anchor the platform trust anchor (or the simulated TEE's, with {@code simulatedAnchor})
     * @param baselineSigner the public key every stored baseline must be signed with (re-checked at every release)
     * @param referenceRim a RIM every image must have, or empty for the {@code rim} of each signed baseline
     * @param insecure checks the operator allows to be skipped (the verifier refuses every other that cannot run)
     */
    public BrokerReleases(ImageStore store, BrokerNonces nonces, TrustAnchor anchor, boolean simulatedAnchor,
            ECKey baselineSigner, Optional<byte[]> referenceRim, Set<Insecure> insecure, KeyRelease.Signer signer,
            Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.nonces = Objects.requireNonNull(nonces, "nonces");
        this.anchor = Objects.requireNonNull(anchor, "anchor");
        this.simulatedAnchor = simulatedAnchor;
        this.baselineSigner = Objects.requireNonNull(baselineSigner, "baselineSigner").toPublicJWK();
        this.referenceRim = referenceRim.map(byte[]::clone);
        this.insecure = Set.copyOf(insecure);
        this.signer = Objects.requireNonNull(signer, "signer");
        this.clock = Objects.requireNonNull(clock, "clock");
        // Fails here, at start-up, for a waiver a release never allows (freshness).
        new ReleasePolicy(anchor, simulatedAnchor, Optional.empty(), referenceRim, insecure);
    }

    /** A nonce for {@code imageId} (issued whether or not the image exists: the answer does not tell). */
    public byte[] challenge(String imageId) {
        return nonces.issue(imageId);
    }

    /**
     * Decides and records. Bad evidence, an unknown image and a failing store are refusals (no key
     * leaves); the guest is told only stage names.
     *
     * @param evidenceBody the evidence message as received (its SHA-256 goes to the audit trail)
     * @throws VerifierException when the verifier itself fails (a broken baseline in the store)
     * @throws StoreException when not even the refusal could be recorded (the guest is told to retry)
     */
    public BrokerVerdict decide(String imageId, byte[] nonce, Evidence evidence, byte[] evidenceBody, String peer)
            throws VerifierException, StoreException {
        Optional<BrokerNonces.Problem> problem = nonces.check(nonce, imageId);
        if (problem.isPresent()) {
            return refuse(imageId, peer, evidenceBody, List.of(NONCE_STAGE), List.of(NONCE_STAGE + "/" + switch (problem.get()) {
                case LENGTH -> "length: expected " + WireLimits.NONCE_BYTES + " bytes";
                case MAC -> "mac: does not match (not issued with this broker's nonce key for image " + imageId + ")";
                case EXPIRED -> "expiry: expired at " + BrokerNonces.expiryOf(nonce) + ", now " + clock.instant();
            }));
        }
        if (!ImageId.isValid(imageId)) {
            return refuse(imageId, peer, evidenceBody, List.of(IMAGE_STAGE), List.of(IMAGE_STAGE + "/id: not a valid image id"));
        }
        ImageId id = ImageId.of(imageId);
        List<StoredBaseline> baselines;
        try {
            baselines = store.acceptableBaselines(id, clock.instant());
        } catch (UnknownImageException e) {
            baselines = List.of();
        } catch (StoreException e) {
            return refuse(imageId, peer, evidenceBody, List.of(STORE_STAGE), List.of(STORE_STAGE + "/baselines: " + e.getMessage()));
        }
        if (baselines.isEmpty()) {
            return refuse(imageId, peer, evidenceBody, List.of(IMAGE_STAGE), List.of(IMAGE_STAGE
                    + "/known: the store has no image '" + imageId + "' or accepts none of its baselines now"));
        }
        Refused last = null;
        for (StoredBaseline baseline : baselines) {
            ReleasePolicy policy = new ReleasePolicy(anchor, simulatedAnchor,
                    Optional.of(baseline.toReferenceBaseline(baselineSigner)), referenceRim, insecure);
            Appraisal appraisal = Verifier.appraise(policy.input(nonce, evidence));
            switch (appraisal) {
                case Affirming affirming -> {
                    return release(id, nonce, evidence, affirming, peer, evidenceBody);
                }
                case Refused refused -> last = refused;
            }
        }
        return refuse(imageId, peer, evidenceBody, last.failedStages().stream().map(s -> s.label()).toList(),
                last.failures().stream().map(BrokerReleases::failedCheck).toList());
    }

    private BrokerVerdict release(ImageId id, byte[] nonce, Evidence evidence, Affirming affirming, String peer,
            byte[] evidenceBody) throws StoreException {
        AuditEvent released = AuditEvent.of(clock.instant(), peer, id.value(), Verdict.RELEASED, List.of(), evidenceBody);
        try {
            String jws = store.release(id, released, key -> KeyRelease.seal(affirming, nonce, evidence.ephemeralKey(), key,
                    signer));
            return new BrokerVerdict.Released(jws);
        } catch (StoreException e) {
            // Nothing was sent: the key did not leave the store or its record was not written.
            return refuse(id.value(), peer, evidenceBody, List.of(STORE_STAGE), List.of(STORE_STAGE + "/release: "
                    + e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }

    private BrokerVerdict refuse(String imageId, String peer, byte[] evidenceBody, List<String> stages,
            List<String> failedChecks) throws StoreException {
        store.audit().append(AuditEvent.of(clock.instant(), peer, imageId, Verdict.REFUSED, failedChecks, evidenceBody));
        return new BrokerVerdict.Refused(stages, failedChecks);
    }

    /** {@code stage/check: detail (expected …, got …)}: public values only. */
    private static String failedCheck(Check c) {
        return c.stage().label() + "/" + c.summary().substring(c.stage().label().length() + 2);
    }

    @Override
    public String toString() {
        return "BrokerReleases[" + store.describe() + ", " + (simulatedAnchor ? "SIMULATED anchor " : "")
                + anchor.describe() + ", " + nonces + "]";
    }
}
