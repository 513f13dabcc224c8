package dev.cvmfde.agent.luks;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the block device holding the LUKS volume with a given UUID: every name under
 * {@code /sys/class/block} is a candidate {@code /dev/<name>}, and only the first
 * {@link LuksHeader#HEADER_READ_BYTES} bytes of each are read. The device name is never assumed
 * ({@code /dev/vda2} on one machine is {@code /dev/nvme0n1p2} on the next).
 */
public final class LuksVolumes {
    /** Most block devices looked at; a guest has a handful. */
    public static final int MAX_BLOCK_DEVICES = 4096;

    private LuksVolumes() {
    }

    /** The one device whose LUKS header carries {@code uuid}. */
    public static Path findByUuid(Path blockClassDir, Path deviceDir, String uuid) throws RootDeviceException {
        String want = uuid.toLowerCase(Locale.ROOT);
        List<String> names = blockNames(blockClassDir);
        List<Path> matches = new ArrayList<>();
        int luks = 0;
        for (String name : names) {
            Path node = deviceDir.resolve(name);
            Optional<LuksHeader> header = readQuietly(node);
            if (header.isPresent()) {
                luks++;
                if (header.get().uuid().toLowerCase(Locale.ROOT).equals(want)) {
                    matches.add(node);
                }
            }
        }
        if (matches.size() == 1) {
            return matches.getFirst();
        }
        if (matches.isEmpty()) {
            throw new RootDeviceException("root device: no LUKS volume with UUID " + want + " among " + names.size()
                    + " block devices in " + blockClassDir + " (" + luks + " LUKS volumes with other UUIDs); expected the UUID"
                    + " the image builder recorded — is the disk attached and its driver in the initramfs?");
        }
        throw new RootDeviceException("root device: " + matches.size() + " LUKS volumes carry UUID " + want + " ("
                + matches + "); refusing to guess which one is the root");
    }

    /**
     * {@code file} itself as the root volume (a host run without a kernel: the LUKS partition
     * copied out of the disk image): it must start with a LUKS header carrying {@code uuid}.
     */
    public static Path checkFile(Path file, String uuid) throws RootDeviceException {
        String want = uuid.toLowerCase(Locale.ROOT);
        if (!Files.isRegularFile(file)) {
            throw new RootDeviceException("root device: volume file " + file + " does not exist or is not a regular file");
        }
        Optional<LuksHeader> header;
        try {
            header = LuksHeader.read(file);
        } catch (IOException | SecurityException e) {
            throw new RootDeviceException("root device: cannot read volume file " + file + ": " + e.getMessage());
        }
        if (header.isEmpty()) {
            throw new RootDeviceException("root device: volume file " + file + " does not start with a LUKS header");
        }
        String got = header.get().uuid().toLowerCase(Locale.ROOT);
        if (!got.equals(want)) {
            throw new RootDeviceException("root device: volume file " + file + " carries LUKS UUID " + got
                    + ", not the UUID " + want + " the image builder recorded; refusing to use it");
        }
        return file;
    }

    private static List<String> blockNames(Path blockClassDir) throws RootDeviceException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(blockClassDir)) {
            for (Path p : dir) {
                if (names.size() >= MAX_BLOCK_DEVICES) {
                    throw new RootDeviceException("root device: more than " + MAX_BLOCK_DEVICES + " entries in " + blockClassDir);
                }
                names.add(p.getFileName().toString());
            }
        } catch (IOException e) {
            throw new RootDeviceException("root device: cannot list " + blockClassDir + ": " + e.getMessage());
        }
        names.sort(null);
        return names;
    }

    /** A device that cannot be opened or read (an empty CD drive, a vanished partition) is not the root. */
    private static Optional<LuksHeader> readQuietly(Path node) {
        if (!Files.exists(node) || Files.isDirectory(node)) {
            return Optional.empty();
        }
        try {
            return LuksHeader.read(node);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }
}
