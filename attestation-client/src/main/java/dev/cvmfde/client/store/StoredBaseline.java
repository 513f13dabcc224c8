package dev.cvmfde.client.store;

import dev.cvmfde.client.store.internal.AuditLines;
import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.client.verify.ReferenceBaseline;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A baseline as the store keeps it: the signed hash.json bytes, their detached JWS and signer
 * (checked when it was added), when it was added, and, once a newer baseline was rotated in,
 * the instant until which it is still accepted ({@code acceptedUntil}, exclusive). The verifier
 * checks the signature again at every release ({@link #toReferenceBaseline}), so a store that
 * was edited behind the client's back cannot slip in an unsigned baseline.
 */
public record StoredBaseline(byte[] hashJson, String detachedJws, ECKey signer, Instant addedAt,
        Optional<Instant> acceptedUntil) {
    public StoredBaseline {
        Objects.requireNonNull(hashJson, "hashJson");
        Objects.requireNonNull(detachedJws, "detachedJws");
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(addedAt, "addedAt");
        Objects.requireNonNull(acceptedUntil, "acceptedUntil");
        hashJson = hashJson.clone();
    }

    @Override
    public byte[] hashJson() {
        return hashJson.clone();
    }

    /** True if this baseline is accepted at {@code now}: no end date, or {@code now} before it. */
    public boolean acceptedAt(Instant now) {
        return acceptedUntil.isEmpty() || now.isBefore(acceptedUntil.get());
    }

    /** The verifier's input, checked against the signer recorded when the baseline was added. */
    public ReferenceBaseline toReferenceBaseline() {
        return ReferenceBaseline.signed(hashJson, Optional.of(detachedJws), signer);
    }

    /**
     * The verifier's input, checked against {@code pinnedSigner} (a broker's own
     * {@code --baseline-signer}): then someone who can write the store cannot add a baseline of
     * their own making, as the stored signer would be theirs too.
     */
    public ReferenceBaseline toReferenceBaseline(ECKey pinnedSigner) {
        return ReferenceBaseline.signed(hashJson, Optional.of(detachedJws), pinnedSigner);
    }

    /** SHA-256 of the hash.json bytes, lower-case hex: how {@code image list} names a baseline. */
    public String sha256() {
        return AuditLines.sha256Hex(hashJson);
    }

    @Override
    public String toString() {
        return "StoredBaseline[sha256 " + sha256() + ", added " + addedAt
                + acceptedUntil.map(u -> ", accepted until " + u).orElse("") + "]";
    }
}
