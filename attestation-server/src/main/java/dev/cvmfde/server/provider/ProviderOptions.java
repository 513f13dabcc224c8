package dev.cvmfde.server.provider;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the providers find the kernel interfaces. The defaults are the real Linux paths; tests and
 * unusual systems point them elsewhere.
 *
 * @param tsmReportRoot the configfs-tsm report directory ({@code /sys/kernel/config/tsm/report})
 * @param tsiDevice the virtCCA TSI device ({@code /dev/tsi})
 * @param acpiTablesRoot the sysfs ACPI tables directory holding {@code CCEL} and {@code data/CCEL}
 */
public record ProviderOptions(Path tsmReportRoot, Path tsiDevice, Path acpiTablesRoot) {

    public static final Path DEFAULT_TSM_REPORT_ROOT = Path.of("/sys/kernel/config/tsm/report");
    public static final Path DEFAULT_TSI_DEVICE = Path.of("/dev/tsi");
    public static final Path DEFAULT_ACPI_TABLES_ROOT = Path.of("/sys/firmware/acpi/tables");

    public ProviderOptions {
        Objects.requireNonNull(tsmReportRoot, "tsmReportRoot");
        Objects.requireNonNull(tsiDevice, "tsiDevice");
        Objects.requireNonNull(acpiTablesRoot, "acpiTablesRoot");
    }

    public static ProviderOptions defaults() {
        return new ProviderOptions(DEFAULT_TSM_REPORT_ROOT, DEFAULT_TSI_DEVICE, DEFAULT_ACPI_TABLES_ROOT);
    }

    public ProviderOptions withTsmReportRoot(Path root) {
        return new ProviderOptions(root, tsiDevice, acpiTablesRoot);
    }

    public ProviderOptions withTsiDevice(Path device) {
        return new ProviderOptions(tsmReportRoot, device, acpiTablesRoot);
    }

    public ProviderOptions withAcpiTablesRoot(Path root) {
        return new ProviderOptions(tsmReportRoot, tsiDevice, root);
    }
}
