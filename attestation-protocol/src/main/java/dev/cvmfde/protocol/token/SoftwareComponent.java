package dev.cvmfde.protocol.token;

import java.util.Objects;
import java.util.Optional;

/**
 * One entry of platform claim 2399. Measurement value (2) and signer id (5) are required;
 * measurement type (1), version (4) and hash algorithm (6) are optional.
 */
public record SoftwareComponent(Optional<String> measurementType, byte[] measurementValue,
        Optional<String> version, byte[] signerId, Optional<String> hashAlgorithm) {

    public SoftwareComponent {
        Objects.requireNonNull(measurementType, "measurementType");
        measurementValue = measurementValue.clone();
        Objects.requireNonNull(version, "version");
        signerId = signerId.clone();
        Objects.requireNonNull(hashAlgorithm, "hashAlgorithm");
    }

    @Override
    public byte[] measurementValue() {
        return measurementValue.clone();
    }

    @Override
    public byte[] signerId() {
        return signerId.clone();
    }

    @Override
    public String toString() {
        return "SoftwareComponent[" + measurementType.orElse("?") + " " + version.orElse("") + "]";
    }
}
