package dev.cvmfde.server.provider;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the providers find the kernel interfaces. The defaults are the real Linux paths; tests and
 * unusual systems point them elsewhere.
 *
 * @param tsmReportRoot the configfs-tsm report directory ({@code /sys/kernel/config/tsm/report})
 * @param tsiDevice the virtCCA TSI device ({@code /dev/tsi})
 * @param acpiTablesRoot the sysfs ACPI tables directory holding {@code CCEL} and {@code data/CCEL}
 * @param simulatedIdentity for {@code simulated}: a directory written by
 *     {@code attestation-server simulated-identity}; empty → fresh keys on every start
 * @param simulatedEventLog for {@code simulated}: a CCEL-form event log whose replay gives the
 *     RIM and REMs; empty → the platform's CCEL if there is one, else none (zero measurements)
 * @param tpmDevice for {@code tpm}: {@code /dev/tpmrm0}, or {@code tcp:HOST:PORT} (swtpm's TCP command port)
 * @param tpmEventLog for {@code tpm}: the firmware's TCG2 event log (securityfs)
 */
public record ProviderOptions(Path tsmReportRoot, Path tsiDevice, Path acpiTablesRoot,
                              Optional<Path> simulatedIdentity, Optional<Path> simulatedEventLog, String tpmDevice,
                              Path tpmEventLog) {

    public static final Path DEFAULT_TSM_REPORT_ROOT = Path.of("/sys/kernel/config/tsm/report");
    public static final Path DEFAULT_TSI_DEVICE = Path.of("/dev/tsi");
    public static final Path DEFAULT_ACPI_TABLES_ROOT = Path.of("/sys/firmware/acpi/tables");
    public static final String DEFAULT_TPM_DEVICE = dev.cvmfde.server.provider.tpm.TpmProvider.DEFAULT_DEVICE;
    public static final Path DEFAULT_TPM_EVENT_LOG = dev.cvmfde.server.provider.tpm.TpmProvider.DEFAULT_EVENT_LOG;

    public ProviderOptions {
        Objects.requireNonNull(tsmReportRoot, "tsmReportRoot");
        Objects.requireNonNull(tsiDevice, "tsiDevice");
        Objects.requireNonNull(acpiTablesRoot, "acpiTablesRoot");
        Objects.requireNonNull(simulatedIdentity, "simulatedIdentity");
        Objects.requireNonNull(simulatedEventLog, "simulatedEventLog");
        Objects.requireNonNull(tpmDevice, "tpmDevice");
        Objects.requireNonNull(tpmEventLog, "tpmEventLog");
    }

    public ProviderOptions(Path tsmReportRoot, Path tsiDevice, Path acpiTablesRoot, Optional<Path> simulatedIdentity,
            Optional<Path> simulatedEventLog) {
        this(tsmReportRoot, tsiDevice, acpiTablesRoot, simulatedIdentity, simulatedEventLog, DEFAULT_TPM_DEVICE,
                DEFAULT_TPM_EVENT_LOG);
    }

    public ProviderOptions(Path tsmReportRoot, Path tsiDevice, Path acpiTablesRoot) {
        this(tsmReportRoot, tsiDevice, acpiTablesRoot, Optional.empty(), Optional.empty());
    }

    public static ProviderOptions defaults() {
        return new ProviderOptions(DEFAULT_TSM_REPORT_ROOT, DEFAULT_TSI_DEVICE, DEFAULT_ACPI_TABLES_ROOT);
    }

    public ProviderOptions withTsmReportRoot(Path root) {
        return new ProviderOptions(root, tsiDevice, acpiTablesRoot, simulatedIdentity, simulatedEventLog,
                tpmDevice, tpmEventLog);
    }

    public ProviderOptions withTsiDevice(Path device) {
        return new ProviderOptions(tsmReportRoot, device, acpiTablesRoot, simulatedIdentity, simulatedEventLog,
                tpmDevice, tpmEventLog);
    }

    public ProviderOptions withAcpiTablesRoot(Path root) {
        return new ProviderOptions(tsmReportRoot, tsiDevice, root, simulatedIdentity, simulatedEventLog,
                tpmDevice, tpmEventLog);
    }

    public ProviderOptions withSimulatedIdentity(Path directory) {
        return new ProviderOptions(tsmReportRoot, tsiDevice, acpiTablesRoot, Optional.of(directory), simulatedEventLog,
                tpmDevice, tpmEventLog);
    }

    public ProviderOptions withSimulatedEventLog(Path ccelLog) {
        return new ProviderOptions(tsmReportRoot, tsiDevice, acpiTablesRoot, simulatedIdentity, Optional.of(ccelLog),
                tpmDevice, tpmEventLog);
    }

    public ProviderOptions withTpmDevice(String device) {
        return new ProviderOptions(tsmReportRoot, tsiDevice, acpiTablesRoot, simulatedIdentity, simulatedEventLog, device,
                tpmEventLog);
    }

    public ProviderOptions withTpmEventLog(Path log) {
        return new ProviderOptions(tsmReportRoot, tsiDevice, acpiTablesRoot, simulatedIdentity, simulatedEventLog,
                tpmDevice, log);
    }
}
