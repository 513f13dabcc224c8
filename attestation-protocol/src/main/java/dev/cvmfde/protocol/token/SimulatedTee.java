package dev.cvmfde.protocol.token;

/**
 * How evidence from the simulated TEE (attestation-server's {@code simulated} provider) marks
 * itself, so a verifier can refuse it unless told otherwise. Both profiles are set in every
 * simulated token; a verifier treats a token as simulated if either says so.
 */
public final class SimulatedTee {
    /** Platform profile (claim 265) of simulated platform tokens. */
    public static final String PLATFORM_PROFILE = "tag:cvm-fde.dev,2026:simulated-cca-platform";
    /** Realm profile (claim 265) of simulated realm tokens. */
    public static final String REALM_PROFILE = "tag:cvm-fde.dev,2026:simulated-cca-realm";
    /** Verification-service claim (2400) of simulated platform tokens. */
    public static final String VERIFICATION_SERVICE = "simulated:cvm-fde (not a TEE; development and tests only)";

    private SimulatedTee() {
    }

    /** True if the token says it comes from the simulated TEE (read before any signature check). */
    public static boolean isSimulated(UnverifiedCcaToken token) {
        boolean realm = token.realm().unverifiedClaims().profile().map(REALM_PROFILE::equals).orElse(false);
        boolean platform = token.platform().map(p -> PLATFORM_PROFILE.equals(p.unverifiedClaims().profile())).orElse(false);
        return realm || platform;
    }
}
