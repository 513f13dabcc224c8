package dev.cvmfde.protocol.token.internal;

import dev.cvmfde.protocol.token.HashAlgorithm;

/** Claim-name lookup for {@link HashAlgorithm}, kept out of the public API. */
final class HashAlgorithms {

    private HashAlgorithms() {
    }

    static HashAlgorithm fromClaimName(String name) {
        for (HashAlgorithm h : HashAlgorithm.values()) {
            if (h.claimName().equals(name)) {
                return h;
            }
        }
        return null;
    }
}
