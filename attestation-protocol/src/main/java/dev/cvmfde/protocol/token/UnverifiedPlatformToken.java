package dev.cvmfde.protocol.token;

import dev.cvmfde.protocol.cose.CoseSign1;
import java.util.Objects;

/**
 * The platform part of a decoded token: its COSE_Sign1 envelope and the claims read from its
 * payload. Nothing here has been checked against a key; the verifier checks
 * {@code envelope().verify(cpak)} before trusting {@link #unverifiedClaims()}.
 */
public record UnverifiedPlatformToken(CoseSign1 envelope, PlatformClaims unverifiedClaims) {
    public UnverifiedPlatformToken {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(unverifiedClaims, "unverifiedClaims");
    }
}
