package dev.cvmfde.server.provider;

import java.util.HexFormat;

/** What became of {@link EvidenceProvider#extend}: the register changed, or this TEE cannot do it. */
public sealed interface MeasurementExtension {

    /** The register now holds {@code value}; every later token reports it. */
    record Extended(int rem, byte[] value) implements MeasurementExtension {
        public Extended {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public String toString() {
            return "REM[" + rem + "] = " + HexFormat.of().formatHex(value);
        }
    }

    /** A TPM: PCR {@code pcr} now holds {@code value}; every later quote reports it. */
    record ExtendedPcr(int pcr, byte[] value) implements MeasurementExtension {
        public ExtendedPcr {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public String toString() {
            return "PCR[" + pcr + "] = " + HexFormat.of().formatHex(value);
        }
    }

    /** The platform (or its Linux interface) gives the guest no way to extend a register; why. */
    record Unsupported(String reason) implements MeasurementExtension {
    }
}
