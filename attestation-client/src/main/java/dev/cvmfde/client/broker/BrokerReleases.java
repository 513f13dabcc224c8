package dev.cvmfde.client.broker;

import dev.cvmfde.client.release.KeyRelease;
import dev.cvmfde.client.release.ReleaseException;
import dev.cvmfde.client.release.ReleasePolicy;
import dev.cvmfde.client.verify.Affirming;
import dev.cvmfde.client.verify.Appraisal;
import dev.cvmfde.client.verify.Check;
import dev.cvmfde.client.verify.Insecure;
import dev.cvmfde.client.verify.ReferenceBaseline;
import dev.cvmfde.client.verify.Refused;
import dev.cvmfde.client.verify.TrustAnchor;
import dev.cvmfde.client.verify.Verifier;
import dev.cvmfde.client.verify.VerifierException;
import dev.cvmfde.protocol.secret.SecretBytes;
import dev.cvmfde.protocol.wire.Evidence;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The broker's decision for one guest, exactly as in push mode: the nonce must be one a broker of
 * this store issued for this image and not expired; the evidence is appraised by the strict,
 * fail-closed {@link Verifier} (freshness = the nonce bound to the evidence's ephemeral key)
 * against each baseline the store accepts for the image now; only an {@link Affirming} result
 * unwraps the image's key and seals it with {@link KeyRelease#seal}. Every release and refusal is
 * recorded in the audit trail before the answer goes out. Thread-safe; holds no session state.
 */
public final class BrokerReleases {
    /** Stage named to the guest when its nonce is not accepted (it asks for a new one). */
    public static final String NONCE_STAGE = "nonce";
    /** Stage named to the guest when the store knows no such image. */
    public static final String IMAGE_STAGE = "image";

    private final BrokerStore store;
    private final BrokerNonces nonces;
    private final TrustAnchor anchor;
    private final boolean simulatedAnchor;
    private final Optional<byte[]> referenceRim;
    private final Set<Insecure> insecure;
    private final KeyRelease.Signer signer;
    private final Clock clock;

    /**
     * @param anchor the platform trust anchor (or the simulated TEE's, with {@code simulatedAnchor})
     * @param referenceRim a RIM every image must have, or empty for the {@code rim} of each signed baseline
     * @param insecure checks the operator allows to be skipped (the verifier refuses every other that cannot run)
     */
    public BrokerReleases(BrokerStore store, BrokerNonces nonces, TrustAnchor anchor, boolean simulatedAnchor,
            Optional<byte[]> referenceRim, Set<Insecure> insecure, KeyRelease.Signer signer, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.nonces = Objects.requireNonNull(nonces, "nonces");
        this.anchor = Objects.requireNonNull(anchor, "anchor");
        this.simulatedAnchor = simulatedAnchor;
        this.referenceRim = referenceRim.map(byte[]::clone);
        this.insecure = Set.copyOf(insecure);
        this.signer = Objects.requireNonNull(signer, "signer");
        this.clock = Objects.requireNonNull(clock, "clock");
        // Fails here, at start-up, if a waiver is one a release never allows (freshness).
        new ReleasePolicy(anchor, simulatedAnchor, Optional.empty(), referenceRim, insecure);
    }

    /** A nonce for {@code imageId} (issued whether or not the image exists: the answer must not tell). */
    public byte[] challenge(String imageId) {
        return nonces.issue(imageId);
    }

    /**
     * Decides and records. Bad evidence is a {@link BrokerVerdict.Refused}; a store that cannot
     * answer or record is {@link BrokerVerdict.Unavailable}.
     *
     * @param evidenceBody the evidence message as received (its SHA-256 goes to the audit trail)
     * @throws VerifierException when the verifier itself fails (a broken baseline in the store)
     */
    public BrokerVerdict decide(String imageId, byte[] nonce, Evidence evidence, byte[] evidenceBody, String peer)
            throws VerifierException {
        byte[] digest = sha256(evidenceBody);
        Optional<BrokerNonces.Problem> problem = nonces.check(nonce, imageId);
        if (problem.isPresent()) {
            return refuse(imageId, peer, digest, NONCE_STAGE, "nonce: " + switch (problem.get()) {
                case LENGTH -> "expected " + dev.cvmfde.protocol.wire.WireLimits.NONCE_BYTES + " bytes";
                case MAC -> "MAC does not match (not issued by a broker of this store for image " + imageId + ")";
                case EXPIRED -> "expired at " + BrokerNonces.expiryOf(nonce) + " (now " + clock.instant() + ")";
            });
        }
        List<ReferenceBaseline> baselines;
        try {
            baselines = store.acceptableBaselines(imageId, clock.instant());
        } catch (BrokerStoreException e) {
            return new BrokerVerdict.Unavailable("store: " + e.getMessage());
        }
        if (baselines.isEmpty()) {
            return refuse(imageId, peer, digest, IMAGE_STAGE, "image: the store has no image '" + imageId
                    + "' (or no baseline it accepts now)");
        }
        Refused last = null;
        for (ReferenceBaseline baseline : baselines) {
            ReleasePolicy policy = new ReleasePolicy(anchor, simulatedAnchor, Optional.of(baseline), referenceRim, insecure);
            Appraisal appraisal = Verifier.appraise(policy.input(nonce, evidence));
            switch (appraisal) {
                case Affirming affirming -> {
                    return release(imageId, nonce, evidence, affirming, peer, digest);
                }
                case Refused refused -> last = refused;
            }
        }
        List<String> reasons = last.failures().stream().map(Check::summary).toList();
        List<String> stages = last.failedStages().stream().map(s -> s.label()).toList();
        return record(new AuditEvent(clock.instant(), peer, imageId, false, reasons, digest),
                new BrokerVerdict.Refused(stages, reasons));
    }

    private BrokerVerdict release(String imageId, byte[] nonce, Evidence evidence, Affirming affirming, String peer,
            byte[] digest) {
        String jws;
        try (SecretBytes key = store.unwrapKey(imageId)) {
            jws = KeyRelease.seal(affirming, nonce, evidence.ephemeralKey(), key, signer);
        } catch (BrokerStoreException e) {
            return new BrokerVerdict.Unavailable("store: " + e.getMessage());
        } catch (ReleaseException e) {
            // Cannot happen after an affirming appraisal of this nonce and key; refuse, never release.
            return refuse(imageId, peer, digest, "binding", "binding: " + e.getMessage());
        }
        return record(new AuditEvent(clock.instant(), peer, imageId, true, List.of(), digest),
                new BrokerVerdict.Released(jws));
    }

    private BrokerVerdict refuse(String imageId, String peer, byte[] digest, String stage, String reason) {
        return record(new AuditEvent(clock.instant(), peer, imageId, false, List.of(reason), digest),
                new BrokerVerdict.Refused(List.of(stage), List.of(reason)));
    }

    /** The verdict goes out only once its audit record is written. */
    private BrokerVerdict record(AuditEvent event, BrokerVerdict verdict) {
        try {
            store.record(event);
            return verdict;
        } catch (BrokerStoreException e) {
            return new BrokerVerdict.Unavailable("audit: " + e.getMessage() + " (nothing was released)");
        }
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "BrokerReleases[" + (simulatedAnchor ? "SIMULATED anchor " : "") + anchor.describe() + ", " + nonces + "]";
    }
}
