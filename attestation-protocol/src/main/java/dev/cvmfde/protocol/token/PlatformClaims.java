package dev.cvmfde.protocol.token;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The CCA platform claims. Byte arrays are copied in and out.
 *
 * @param profile             claim 265 (e.g. {@code tag:arm.com,2023:cca_platform#1.0.0})
 * @param challenge           claim 10: hash of the RAK claim bytes, 32/48/64 bytes
 * @param implementationId    claim 2396, 32 bytes
 * @param instanceId          claim 256 (UEID), 33 bytes
 * @param config              claim 2401
 * @param lifecycle           claim 2395
 * @param softwareComponents  claim 2399
 * @param verificationService claim 2400 (optional)
 * @param hashAlgorithm       claim 2402, as written in the token
 */
public record PlatformClaims(String profile, byte[] challenge, byte[] implementationId, byte[] instanceId,
        byte[] config, int lifecycle, List<SoftwareComponent> softwareComponents,
        Optional<String> verificationService, String hashAlgorithm) {

    /** Size of the implementation id. */
    public static final int IMPLEMENTATION_ID_BYTES = 32;
    /** Size of the instance id (type byte 0x01 + 32 bytes). */
    public static final int INSTANCE_ID_BYTES = 33;

    public PlatformClaims {
        Objects.requireNonNull(profile, "profile");
        if (!RealmClaims.isMeasurementLength(challenge.length)) {
            throw new IllegalArgumentException("platform challenge: " + challenge.length
                    + " bytes given; 32, 48 or 64 are allowed");
        }
        challenge = challenge.clone();
        if (implementationId.length != IMPLEMENTATION_ID_BYTES) {
            throw new IllegalArgumentException("implementation id: " + implementationId.length
                    + " bytes given; " + IMPLEMENTATION_ID_BYTES + " are required");
        }
        implementationId = implementationId.clone();
        if (instanceId.length != INSTANCE_ID_BYTES) {
            throw new IllegalArgumentException("instance id: " + instanceId.length + " bytes given; "
                    + INSTANCE_ID_BYTES + " are required");
        }
        instanceId = instanceId.clone();
        config = config.clone();
        softwareComponents = List.copyOf(softwareComponents);
        Objects.requireNonNull(verificationService, "verificationService");
        Objects.requireNonNull(hashAlgorithm, "hashAlgorithm");
    }

    /** A copy with {@code challenge} replaced (the encoder binds the RAK this way). */
    public PlatformClaims withChallenge(byte[] newChallenge) {
        return new PlatformClaims(profile, newChallenge, implementationId, instanceId, config, lifecycle,
                softwareComponents, verificationService, hashAlgorithm);
    }

    @Override
    public byte[] challenge() {
        return challenge.clone();
    }

    @Override
    public byte[] implementationId() {
        return implementationId.clone();
    }

    @Override
    public byte[] instanceId() {
        return instanceId.clone();
    }

    @Override
    public byte[] config() {
        return config.clone();
    }

    @Override
    public String toString() {
        return "PlatformClaims[profile=" + profile + ", lifecycle=0x" + Integer.toHexString(lifecycle)
                + ", components=" + softwareComponents.size() + ", hash=" + hashAlgorithm + "]";
    }
}
