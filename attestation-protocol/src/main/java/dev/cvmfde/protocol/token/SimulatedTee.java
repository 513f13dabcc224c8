package dev.cvmfde.protocol.token;

/**
 * How evidence from the simulated TEE (attestation-server's {@code simulated} provider) marks
 * itself, and the RIM it reports. Both profiles are set in every simulated token; a verifier
 * treats a token as marked simulated if either says so. The marks are only a consistency check:
 * whether the verifier accepts simulated evidence is decided by the anchor its operator gave
 * (the simulated TEE's CPAK, {@code --simulated-anchor}), never by the token.
 */
public final class SimulatedTee {
    /** Platform profile (claim 265) of simulated platform tokens. */
    public static final String PLATFORM_PROFILE = "tag:cvm-fde.dev,2026:simulated-cca-platform";
    /** Realm profile (claim 265) of simulated realm tokens. */
    public static final String REALM_PROFILE = "tag:cvm-fde.dev,2026:simulated-cca-realm";
    /** Verification-service claim (2400) of simulated platform tokens. */
    public static final String VERIFICATION_SERVICE = "simulated:cvm-fde (not a TEE; development and tests only)";

    /**
     * Domain string of the simulated realm's initial measurement: {@link #rim} hashes it with the
     * realm's initial register, so the RIM is never all zeros and a verifier can pin it.
     */
    public static final String RIM_CONTEXT = "cvm-fde simulated realm initial measurement v1";

    private SimulatedTee() {
    }

    /**
     * The RIM the simulated TEE reports: SHA-256 of {@link #RIM_CONTEXT} (ASCII) followed by
     * {@code initialRegister}, the replay of the event log's index-0 events from zeros (32 zero
     * bytes when the log has none, as image-builder's predicted log). The simulated realm has no
     * firmware or initial image to measure; this is its whole launch configuration, so every image
     * booted by the simulated provider with the same log reports the same RIM, and image-builder
     * writes it into hash.json as {@code "rim"}.
     */
    public static byte[] rim(byte[] initialRegister) {
        byte[] context = RIM_CONTEXT.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] in = java.util.Arrays.copyOf(context, context.length + initialRegister.length);
        System.arraycopy(initialRegister, 0, in, context.length, initialRegister.length);
        return HashAlgorithm.SHA_256.digest(in);
    }

    /** True if the token says it comes from the simulated TEE (read before any signature check). */
    public static boolean isSimulated(UnverifiedCcaToken token) {
        boolean realm = token.realm().unverifiedClaims().profile().map(REALM_PROFILE::equals).orElse(false);
        boolean platform = token.platform().map(p -> PLATFORM_PROFILE.equals(p.unverifiedClaims().profile())).orElse(false);
        return realm || platform;
    }
}
