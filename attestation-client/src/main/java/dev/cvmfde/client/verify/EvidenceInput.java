package dev.cvmfde.client.verify;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.wire.WireLimits;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything one verification needs: the token as received, the CCEL event log if any, what the
 * realm challenge must equal, the reference RIM and baseline if any, the trust anchor and whether
 * it is the simulated TEE's ({@code simulatedAnchor}: a property of the anchor the operator gave,
 * never of the token), the checks the operator allowed to be skipped ({@code insecure}; every
 * other check that cannot run refuses), and the time certificate chains are validated at. Arrays
 * are copied in and out. Build with {@link #builder(byte[], TrustAnchor)}.
 */
public record EvidenceInput(byte[] token, Optional<byte[]> eventLog, Freshness freshness, Optional<byte[]> referenceRim,
        Optional<ReferenceBaseline> baseline, TrustAnchor trustAnchor, boolean simulatedAnchor, Set<Insecure> insecure,
        Instant validationTime) {

    /** Largest event log appraised (the wire protocol's limit); a larger one fails stage EVENT_LOG. */
    public static final int MAX_EVENT_LOG_BYTES = WireLimits.MAX_EVENT_LOG_BYTES;

    public EvidenceInput {
        token = Objects.requireNonNull(token, "token").clone();
        eventLog = Objects.requireNonNull(eventLog, "eventLog").map(byte[]::clone);
        Objects.requireNonNull(freshness, "freshness");
        referenceRim = Objects.requireNonNull(referenceRim, "referenceRim").map(byte[]::clone);
        referenceRim.ifPresent(r -> {
            if (r.length != 32 && r.length != 48 && r.length != 64) {
                throw new IllegalArgumentException("reference RIM holds " + r.length + " bytes; 32, 48 or 64 are allowed");
            }
        });
        // A baseline without an event log is accepted here and refused by the verifier (stage
        // EVENT_LOG): evidence that comes without a log is bad evidence, a result, not a fault.
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(trustAnchor, "trustAnchor");
        insecure = Set.copyOf(Objects.requireNonNull(insecure, "insecure"));
        Objects.requireNonNull(validationTime, "validationTime");
    }

    @Override
    public byte[] token() {
        return token.clone();
    }

    @Override
    public Optional<byte[]> eventLog() {
        return eventLog.map(byte[]::clone);
    }

    @Override
    public Optional<byte[]> referenceRim() {
        return referenceRim.map(byte[]::clone);
    }

    @Override
    public String toString() {
        return "EvidenceInput[token " + token.length + " B, event log " + eventLog.map(l -> l.length + " B").orElse("none")
                + ", " + freshness + ", RIM " + referenceRim.map(r -> HexFormat.of().formatHex(r)).orElse("none")
                + ", " + baseline.map(Object::toString).orElse("no baseline") + ", " + trustAnchor.describe()
                + (simulatedAnchor ? ", SIMULATED anchor" : "") + (insecure.isEmpty() ? "" : ", INSECURE " + insecure) + "]";
    }

    /** A builder with the safe defaults: freshness unspecified (fails), a real anchor, nothing skipped, now. */
    public static Builder builder(byte[] token, TrustAnchor trustAnchor) {
        return new Builder(token, trustAnchor);
    }

    /** Builds an {@link EvidenceInput}. */
    public static final class Builder {
        private final byte[] token;
        private final TrustAnchor trustAnchor;
        private byte[] eventLog;
        private Freshness freshness = new Freshness.Unspecified();
        private byte[] rim;
        private ReferenceBaseline baseline;
        private boolean simulatedAnchor;
        private final Set<Insecure> insecure = EnumSet.noneOf(Insecure.class);
        private Instant at;

        private Builder(byte[] token, TrustAnchor trustAnchor) {
            this.token = Objects.requireNonNull(token, "token").clone();
            this.trustAnchor = Objects.requireNonNull(trustAnchor, "trustAnchor");
        }

        /** The CCEL event log (TCG2 crypto-agile layout) that should replay to the REMs. */
        public Builder eventLog(byte[] log) {
            this.eventLog = log.clone();
            return this;
        }

        /** The realm challenge must equal these 64 bytes. */
        public Builder expectedChallenge(byte[] challenge) {
            this.freshness = Freshness.expect(challenge);
            return this;
        }

        /** The realm challenge must be {@code ChallengeBinding.challenge(nonce, ephemeralKey)}. */
        public Builder expectedChallenge(byte[] nonce, ECKey ephemeralKey) {
            this.freshness = Freshness.boundTo(nonce, ephemeralKey);
            return this;
        }

        /** Deliberately skips the freshness check (offline inspection): {@link Insecure#NO_FRESHNESS}. */
        public Builder withoutFreshness() {
            this.freshness = Freshness.notChecked();
            return this;
        }

        public Builder referenceRim(byte[] referenceRim) {
            this.rim = referenceRim.clone();
            return this;
        }

        public Builder baseline(ReferenceBaseline reference) {
            this.baseline = Objects.requireNonNull(reference);
            return this;
        }

        /**
         * The trust anchor is the simulated TEE's CPAK (the operator said so): only evidence marked
         * simulated is accepted (flagged); with a real anchor (the default) simulated evidence is refused.
         */
        public Builder simulatedAnchor(boolean simulated) {
            this.simulatedAnchor = simulated;
            return this;
        }

        /** Allows these checks to be skipped when they cannot run (each is shown as INSECURE). */
        public Builder insecure(Set<Insecure> skip) {
            this.insecure.addAll(skip);
            return this;
        }

        public Builder insecure(Insecure... skip) {
            return insecure(Set.of(skip));
        }

        /** The time certificate chains are validated at (default: when {@link #build()} runs). */
        public Builder validationTime(Instant time) {
            this.at = Objects.requireNonNull(time);
            return this;
        }

        public EvidenceInput build() {
            return new EvidenceInput(token, Optional.ofNullable(eventLog), freshness, Optional.ofNullable(rim),
                    Optional.ofNullable(baseline), trustAnchor, simulatedAnchor, insecure, at == null ? Instant.now() : at);
        }
    }
}
