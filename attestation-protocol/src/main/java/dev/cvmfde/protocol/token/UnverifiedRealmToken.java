package dev.cvmfde.protocol.token;

import dev.cvmfde.protocol.cose.CoseSign1;
import java.util.Objects;

/**
 * The realm (cVM) part of a decoded token: its COSE_Sign1 envelope, the claims read from its
 * payload and how that payload was laid out. Nothing here has been checked against a key; the
 * verifier checks {@code envelope().verify(rak)} and the RAK binding before trusting
 * {@link #unverifiedClaims()}.
 */
public record UnverifiedRealmToken(CoseSign1 envelope, RealmClaims unverifiedClaims, RealmPayloadForm payloadForm) {
    public UnverifiedRealmToken {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(unverifiedClaims, "unverifiedClaims");
        Objects.requireNonNull(payloadForm, "payloadForm");
    }
}
