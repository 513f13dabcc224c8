package dev.cvmfde.refvalues.predict;

import dev.cvmfde.refvalues.Digest;
import java.util.Objects;

/** A file grub will measure: the path as grub names it (e.g. {@code /vmlinuz-6.6.0}) and its digest. */
public record MeasuredFile(String path, Digest digest) {
    public MeasuredFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(digest, "digest");
        if (path.isEmpty() || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a measured file needs a non-empty path without NUL");
        }
    }
}
