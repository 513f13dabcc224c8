package dev.cvmfde.refvalues.compare;

import dev.cvmfde.refvalues.Digest;
import java.util.Objects;
import java.util.Optional;

/**
 * Expected versus actual for one boot component. {@code kernelVersion} is set for kernel and
 * initramfs when the baseline names versions; {@code path} is the file path grub logged.
 */
public record ComponentResult(Component component, Optional<String> kernelVersion, Optional<Digest> expected,
        Optional<Digest> actual, Optional<String> path, Verdict verdict) {
    public ComponentResult {
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(kernelVersion, "kernelVersion");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(verdict, "verdict");
    }

    public boolean passed() {
        return verdict == Verdict.MATCH;
    }
}
