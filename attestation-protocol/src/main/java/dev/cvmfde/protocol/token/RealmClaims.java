package dev.cvmfde.protocol.token;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The realm (virtCCA: cVM) claims. Byte arrays are copied in and out; sizes are checked by
 * the decoder and by this constructor alike, so a {@code RealmClaims} always has a 64-byte
 * challenge and personalization value and exactly four REMs.
 *
 * @param profile              claim 265, absent in TF-RMM 1.0 beta and virtCCA tokens
 * @param challenge            claim 10, 64 bytes
 * @param personalizationValue claim 44235, 64 bytes
 * @param hashAlgorithm        claim 44236, algorithm of the RIM and REMs
 * @param rak                  claim 44237
 * @param rim                  claim 44238, 32/48/64 bytes
 * @param rems                 claim 44239, exactly 4 of 32/48/64 bytes
 * @param rakHashAlgorithm     claim 44240, algorithm that binds the RAK into the platform challenge
 */
public record RealmClaims(Optional<String> profile, byte[] challenge, byte[] personalizationValue,
        HashAlgorithm hashAlgorithm, RealmAttestationKey rak, byte[] rim, List<byte[]> rems,
        HashAlgorithm rakHashAlgorithm) {

    /** Size of the realm challenge and personalization value. */
    public static final int CHALLENGE_BYTES = 64;
    /** Number of realm extensible measurements. */
    public static final int REM_COUNT = 4;

    public RealmClaims {
        Objects.requireNonNull(profile, "profile");
        challenge = exact(challenge, CHALLENGE_BYTES, "challenge");
        personalizationValue = exact(personalizationValue, CHALLENGE_BYTES, "personalization value");
        Objects.requireNonNull(hashAlgorithm, "hashAlgorithm");
        Objects.requireNonNull(rak, "rak");
        rim = measurement(rim, "RIM");
        if (rems.size() != REM_COUNT) {
            throw new IllegalArgumentException("REMs: " + rems.size() + " given; exactly " + REM_COUNT + " are required");
        }
        rems = rems.stream().map(r -> measurement(r, "REM")).toList();
        Objects.requireNonNull(rakHashAlgorithm, "rakHashAlgorithm");
    }

    private static byte[] exact(byte[] b, int len, String what) {
        if (b.length != len) {
            throw new IllegalArgumentException(what + ": " + b.length + " bytes given; " + len + " are required");
        }
        return b.clone();
    }

    static boolean isMeasurementLength(int len) {
        return len == 32 || len == 48 || len == 64;
    }

    private static byte[] measurement(byte[] b, String what) {
        if (!isMeasurementLength(b.length)) {
            throw new IllegalArgumentException(what + ": " + b.length + " bytes given; 32, 48 or 64 are allowed");
        }
        return b.clone();
    }

    @Override
    public byte[] challenge() {
        return challenge.clone();
    }

    @Override
    public byte[] personalizationValue() {
        return personalizationValue.clone();
    }

    @Override
    public byte[] rim() {
        return rim.clone();
    }

    /** The four REMs, each a copy. */
    @Override
    public List<byte[]> rems() {
        return rems.stream().map(byte[]::clone).toList();
    }

    /** The RAK's claim bytes exactly as in the token (a copy); the platform challenge hashes these. */
    public byte[] rakClaimBytes() {
        return rak.claimBytes();
    }

    @Override
    public String toString() {
        return "RealmClaims[profile=" + profile.orElse("(none)") + ", hash=" + hashAlgorithm.claimName()
                + ", rak=" + rak + ", rakHash=" + rakHashAlgorithm.claimName() + "]";
    }
}
