package dev.cvmfde.imagebuilder.wholedisk;

import dev.cvmfde.imagebuilder.disk.DiskFormat;
import java.nio.file.Path;
import java.util.UUID;

/** What {@link WholeDiskEncryptor} wrote: the container's size, its LUKS UUID and version. */
public record WholeDiskResult(Path output, DiskFormat inputFormat, long inputBytes, long outputBytes,
                              UUID luksUuid, String luksVersion) {
}
