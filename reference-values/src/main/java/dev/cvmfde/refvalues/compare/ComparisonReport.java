package dev.cvmfde.refvalues.compare;

import java.util.List;
import java.util.Optional;

/**
 * The result of comparing an event log with a baseline: one result per component, the grub
 * commands and kernel command line of the allowed sequence (only strings whose digest matches
 * their text), the string events whose text does not hash to their digest, and every place the
 * log leaves the allowed sequence.
 */
public record ComparisonReport(List<ComponentResult> components, List<String> grubCommands,
        Optional<String> kernelCommandLine, List<String> integrityFailures, List<SequenceDeviation> deviations) {
    public ComparisonReport {
        components = List.copyOf(components);
        grubCommands = List.copyOf(grubCommands);
        integrityFailures = List.copyOf(integrityFailures);
        deviations = List.copyOf(deviations);
    }

    /** True only when every component matched, every string was consistent and nothing deviated. */
    public boolean passed() {
        return !components.isEmpty() && components.stream().allMatch(ComponentResult::passed)
                && integrityFailures.isEmpty() && deviations.isEmpty();
    }
}
