package dev.cvmfde.imagebuilder.rootfs;

import dev.cvmfde.imagebuilder.disk.DiskFormat;
import dev.cvmfde.imagebuilder.luks.KdfSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@link RootEncryptor} needs: the guest disk, its reference hash.json, the key file, the
 * output (qcow2 or raw), the agent's pieces (verifier key, runtimes — at most one per CPU
 * architecture, the guest kernel's picks one — image id, provider, port) and
 * the partition numbers (1-based GPT/MBR indices; 0 = found by type and content, the default), the private EC JWK that signs the new hash.json
 * (made there on first use, {@link BaselineSigningKey}) and the reference RIM to write into it, if
 * the caller knows it (a real realm's, from its launch configuration; for the simulated provider
 * the builder computes it). With {@code broker} the agent runs in pull mode: it fetches its key from
 * that URL ({@code attestation-client serve}) for {@code imageId}, both recorded in the measured agent.json.
 */
public record EncryptRequest(Path input, Path baseline, Path keyFile, Path output, DiskFormat outputFormat,
                             Path verifierKey, List<Path> agentRuntimes, String imageId, String provider, int port,
                             int bootPartition, int rootPartition, KdfSpec kdf, Path signWith,
                             java.util.Optional<String> rim, java.util.Optional<String> broker) {
    public EncryptRequest {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(verifierKey, "verifierKey");
        agentRuntimes = List.copyOf(agentRuntimes);
        if (agentRuntimes.isEmpty()) {
            throw new IllegalArgumentException("at least one agent runtime is needed");
        }
        Objects.requireNonNull(kdf, "kdf");
        if (outputFormat != DiskFormat.QCOW2 && outputFormat != DiskFormat.RAW) {
            throw new IllegalArgumentException("output format " + outputFormat + "; qcow2 or raw are written");
        }
        if (bootPartition < 0 || rootPartition < 0 || (bootPartition > 0 && bootPartition == rootPartition)) {
            throw new IllegalArgumentException("boot partition " + bootPartition + " and root partition " + rootPartition
                    + " must be two different partition numbers from 1 (0: found by type and content)");
        }
        imageId = imageId == null ? "" : imageId;
        Objects.requireNonNull(signWith, "signWith (every hash.json is signed)");
        Objects.requireNonNull(rim, "rim");
        Objects.requireNonNull(broker, "broker (use Optional.empty())");
        rim.ifPresent(h -> {
            if (!h.matches("[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128}")) {
                throw new IllegalArgumentException("rim is " + h.length() + " characters; lowercase hex of 32, 48 or 64 "
                        + "bytes is required");
            }
        });
    }

    /** True for the simulated TEE: hash.json gets {@code "simulated": true}. */
    public boolean simulated() {
        return "simulated".equals(provider);
    }

    /** {@code <output>.hash.json}, {@code <output>.ccel}, {@code <output>.rems.json}. */
    public Path sidecar(String suffix) {
        return output.resolveSibling(output.getFileName() + suffix);
    }
}
