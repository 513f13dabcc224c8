package dev.cvmfde.imagebuilder.rootfs;

import dev.cvmfde.imagebuilder.disk.DiskFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * What {@link RootEncryptor} wrote: the disk (format, virtual size), the LUKS container (UUID,
 * partition, offset), the kernel arguments, and the side files: the updated hash.json, its
 * signature and the signing key (and whether it was made now), the predicted event log and its
 * REMs, and the RIM written into hash.json, if any; the agent runtime that went into the image,
 * its CPU architecture, and the choice in words ({@code rt-arm64/ (aarch64) for kernel /vmlinuz-…
 * (aarch64)}).
 */
public record EncryptResult(Path output, DiskFormat format, long diskBytes, UUID luksUuid, int rootPartition,
                            long luksOffset, long luksBytes, String kernelArguments, Path hashJson, Path eventLog,
                            Path rems, Path hashJsonSignature, BaselineSigningKey signer, java.util.Optional<String> rim,
                            boolean simulated, List<String> predictedRems, String grubCfgDigest, List<String> initramfsDigests,
                            Path agentRuntime, String agentRuntimeArch, String agentRuntimeChoice) {
    public EncryptResult {
        predictedRems = List.copyOf(predictedRems);
        initramfsDigests = List.copyOf(initramfsDigests);
    }
}
