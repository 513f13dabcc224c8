package dev.cvmfde.server;

import dev.cvmfde.protocol.release.PinnedVerifierKey;
import java.util.Objects;

/**
 * Which verifier may release a key to this guest. Production guests use {@link Pinned}: the
 * public key baked into the measured initramfs. {@link InsecureAnyVerifier} skips the signature
 * check (every other check still runs) and exists only for development; the server warns about
 * it on every start.
 */
public sealed interface VerifierTrust {

    /** Only releases signed by this key (with its curve's algorithm) are opened. */
    record Pinned(PinnedVerifierKey key) implements VerifierTrust {
        public Pinned {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Any signer is accepted: whoever can reach the port and produce a release bound to this
     * session's nonce and ephemeral key gets the guest to use its key. Development only.
     */
    record InsecureAnyVerifier() implements VerifierTrust {
    }

    static VerifierTrust pinned(PinnedVerifierKey key) {
        return new Pinned(key);
    }

    static VerifierTrust insecureAnyVerifier() {
        return new InsecureAnyVerifier();
    }
}
