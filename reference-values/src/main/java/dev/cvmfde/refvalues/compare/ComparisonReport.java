package dev.cvmfde.refvalues.compare;

import java.util.List;
import java.util.Optional;

/**
 * The result of comparing an event log with a baseline: one result per component, the grub
 * commands and kernel command line the log records (only those whose digest matches their text),
 * and the string events whose text does not hash to their digest.
 */
public record ComparisonReport(List<ComponentResult> components, List<String> grubCommands,
        Optional<String> kernelCommandLine, List<String> integrityFailures) {
    public ComparisonReport {
        components = List.copyOf(components);
        grubCommands = List.copyOf(grubCommands);
        integrityFailures = List.copyOf(integrityFailures);
    }

    /** True only when every component matched and every string event was consistent. */
    public boolean passed() {
        return !components.isEmpty() && components.stream().allMatch(ComponentResult::passed)
                && integrityFailures.isEmpty();
    }
}
