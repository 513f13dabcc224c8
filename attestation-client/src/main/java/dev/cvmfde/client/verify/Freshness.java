package dev.cvmfde.client.verify;

import com.nimbusds.jose.jwk.ECKey;
import dev.cvmfde.protocol.wire.ChallengeBinding;

/**
 * What the realm challenge (claim 10) must equal. The safe default is {@link Unspecified}: the
 * freshness check FAILS, because evidence that is not bound to this session could be a replay.
 * {@link NotChecked} is the deliberate opt-out for offline inspection; the check is then
 * SKIPPED (loudly) and the resulting {@link Affirming} says freshness was not checked.
 */
public sealed interface Freshness {

    /** No expected challenge was given: freshness fails. */
    record Unspecified() implements Freshness {
    }

    /** The caller deliberately does not check freshness (offline inspection of old evidence). */
    record NotChecked() implements Freshness {
    }

    /** The realm challenge must equal these 64 bytes (compared in constant time). */
    record Expected(byte[] challenge) implements Freshness {
        public Expected {
            if (challenge == null || challenge.length != ChallengeBinding.CHALLENGE_BYTES) {
                throw new IllegalArgumentException("expected challenge holds " + (challenge == null ? "nothing"
                        : challenge.length + " bytes") + "; exactly " + ChallengeBinding.CHALLENGE_BYTES + " are required");
            }
            challenge = challenge.clone();
        }

        @Override
        public byte[] challenge() {
            return challenge.clone();
        }

        @Override
        public String toString() {
            return "Expected[64 B]";
        }
    }

    /** The realm challenge must equal {@code challenge} (64 bytes). */
    static Freshness expect(byte[] challenge) {
        return new Expected(challenge);
    }

    /**
     * The key-release flow: the challenge is {@code ChallengeBinding.challenge(nonce, ephemeralKey)},
     * so an affirming result proves the evidence is fresh and bound to that ephemeral key.
     */
    static Freshness boundTo(byte[] nonce, ECKey ephemeralKey) {
        return new Expected(ChallengeBinding.challenge(nonce, ephemeralKey));
    }

    /** Deliberately skip the freshness check. */
    static Freshness notChecked() {
        return new NotChecked();
    }
}
