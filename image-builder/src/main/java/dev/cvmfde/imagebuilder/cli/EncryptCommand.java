package dev.cvmfde.imagebuilder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cvmfde.imagebuilder.disk.DiskFormat;
import dev.cvmfde.imagebuilder.rootfs.BaselineSigningKey;
import dev.cvmfde.imagebuilder.rootfs.EncryptRequest;
import dev.cvmfde.imagebuilder.rootfs.EncryptResult;
import dev.cvmfde.imagebuilder.rootfs.RootEncryptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code image-builder encrypt}: root-partition mode, the virtCCA flow. */
@Command(name = "encrypt", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Encrypt a guest's root partition into LUKS2 and make it unlock after attestation (virtCCA flow).",
            "",
            "Finds the partitions by type and content (Discoverable Partitions Specification; GPT or MBR): the root",
            "(root-x86-64/arm64 type, else the ext4 Linux-data partition holding /etc/fstab), the clear boot partition",
            "(XBOOTLDR, else the vfat or ext4 partition holding kernels; or /boot inside the root beside an ESP, for",
            "which a new ext4 boot partition is made at the end of the disk and fstab and the ESP's grub.cfg stub are",
            "pointed at it). Copies everything else; encrypts the root file system block for block into a LUKS2",
            "container (the partition grows by the 16 MiB header, or moves to the end of the grown disk when another",
            "partition follows it), so its UUID stays valid; fstab entries naming the root by device path or",
            "PARTUUID name /dev/mapper/encroot. grub.cfg's linux lines (or the BLS entries' options lines, when grub.cfg",
            "runs blscfg) get root=/dev/mapper/encroot (plus rd.neednet=1 ip=dhcp",
            "when absent) and every initramfs gets the fde-agent appended as a cpio archive: the agent runtime, the",
            "pinned verifier key, agent.json (LUKS UUID, port, provider, image id, and luksHeader: the shape of the",
            "LUKS2 header written and its volume key's fingerprint, which the agent checks before it opens the disk)",
            "and the dracut hooks.",
            "",
            "Beside the output: OUTPUT.hash.json (the new reference measurements, same form as --baseline, with the",
            "kernel command line under \"cmdline\", the RIM under \"rim\" when known, and \"simulated\": true for",
            "--provider simulated), OUTPUT.hash.json.jws (its signature; EVERY hash.json is signed), OUTPUT.ccel (the",
            "predicted event log; also on the boot partition as cvm-fde/simulated-ccel.bin for the simulated TEE) and",
            "OUTPUT.rems.json (the REMs it replays to).",
            "",
            "Signing: with --sign-with KEY, else the build key $XDG_CONFIG_HOME/cvm-fde/baseline-signing.jwk (default",
            "~/.config/cvm-fde/), made on first use (mode 0600) with its public half KEY.pub.jwk beside it. Pin that",
            "public key on the verifier host: attestation-client release --baseline-signer baseline-signing.pub.jwk.",
            "RIM: attestation-client requires one. Give --rim HEX (a real realm's initial measurement, from its launch",
            "configuration: see docs/rim.md); for --provider simulated the builder computes the simulated TEE's RIM."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:written", "1:error (bad disk, partition, key file, baseline, I/O, disk full; no output left)",
            "2:usage error"},
        footer = {"", "Example:",
            "  image-builder encrypt --input guest.qcow2 --baseline hash.json --key-file rootfs.key \\",
            "      --verifier-key verifier.pub.pem --agent-runtime guest-runtime/ --image-id demo-1 \\",
            "      --output encrypted.qcow2",
            "  (makes encrypted.qcow2, encrypted.qcow2.hash.json(.jws), encrypted.qcow2.ccel, encrypted.qcow2.rems.json)",
            "  One pipeline for x86_64 and aarch64 guests: give both runtimes, the guest kernel's architecture picks one:",
            "      ... --agent-runtime rt-x86_64/ --agent-runtime rt-arm64/ ...",
            "  (rt-x86_64/ from tools/guest-runtime/build.sh OUT, rt-arm64/ from tools/guest-runtime/build.sh --arch arm64 OUT)"})
final class EncryptCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, paramLabel = "DISK", description = "guest disk: qcow2, raw or VHD (GPT); only read")
    Path input;

    @Option(names = "--baseline", required = true, paramLabel = "HASH_JSON", description = "the guest's reference hash.json (flat or multi-kernel)")
    Path baseline;

    @Option(names = "--key-file", required = true, paramLabel = "FILE", description = "LUKS keyslot passphrase: 32 random bytes (virtCCA) or a base64 DEK line; mode 0600 (group/other access is refused)")
    Path keyFile;

    @Option(names = "--output", required = true, paramLabel = "DISK", description = "encrypted disk to write (never replaces an input)")
    Path output;

    @Option(names = "--verifier-key", required = true, paramLabel = "FILE", description = "the verifier's public key (PEM or JWK) the agent pins")
    Path verifierKey;

    @Option(names = "--agent-runtime", required = true, paramLabel = "DIR", description = "the guest runtime with bin/fde-agent"
            + " (tools/guest-runtime/build.sh, a jlink image) of the guest kernel's architecture (x86_64 or aarch64; for"
            + " aarch64: build.sh --arch arm64). Repeatable, at most one per architecture: the guest kernel's architecture"
            + " picks the one that goes into the image (named on stderr and in --json); a guest with none of its"
            + " architecture is refused")
    List<Path> agentRuntimes;

    @Option(names = "--image-id", defaultValue = "", paramLabel = "ID", description = "image id recorded in agent.json (printed at boot; in pull mode the broker looks the image up by it)")
    String imageId;

    @Option(names = "--broker", paramLabel = "URL", description = "pull mode: the agent fetches its key at boot from this"
            + " broker (http://HOST:PORT, 'attestation-client serve') for --image-id (required then: 1-64 of a-z 0-9 . _ -);"
            + " both go into the measured agent.json. Without it the agent listens (push mode).")
    String broker;

    @Option(names = "--provider", defaultValue = "tsm", paramLabel = "NAME", description = "evidence provider in the guest: tsm (default), virtcca, tpm (TPM 2.0 quote; docs/tpm-evidence.md), simulated")
    String provider;

    @Option(names = "--port", defaultValue = "7220", paramLabel = "PORT", description = "port the agent listens on (default 7220)")
    int port;

    @Option(names = "--root-partition", defaultValue = "0", paramLabel = "N", description = "partition number of the root (default: found by type, root-x86-64/root-arm64, else the ext4 Linux-data partition holding /etc/fstab)")
    int rootPartition;

    @Option(names = "--boot-partition", defaultValue = "0", paramLabel = "N", description = "partition number of the boot partition, vfat or ext4 (default: found: XBOOTLDR, else the partition holding kernels, else /boot inside the root)")
    int bootPartition;

    @Mixin
    KdfOptions kdf;

    @Option(names = "--output-format", paramLabel = "FORMAT", description = "qcow2 or raw (default: raw for .raw/.img, else qcow2)")
    String outputFormat;

    @Option(names = "--sign-with", paramLabel = "JWK", description = "private EC JWK (P-256/P-384, mode 0600) that signs OUTPUT.hash.json (OUTPUT.hash.json.jws, a detached JWS over the exact bytes; attestation-client --baseline-signer checks it); made there if missing; default: the build key $XDG_CONFIG_HOME/cvm-fde/baseline-signing.jwk (~/.config/cvm-fde/)")
    Path signWith;

    @Option(names = "--rim", paramLabel = "HEX", description = "the realm initial measurement to write into hash.json as \"rim\" (32/48/64 bytes in hex; from the realm's launch configuration); default for --provider simulated: the simulated TEE's RIM, else none")
    String rim;

    @Mixin
    OutputOptions out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DiskFormat format = OutputFormats.choose(spec, outputFormat, output);
        java.util.Optional<String> rimHex = RimOption.parse(rim, spec);
        Path key = signWith != null ? signWith
                : BaselineSigningKey.defaultFile(System.getenv(), System.getProperty("user.home"));
        if (broker != null && "tpm".equals(provider)) { // the broker's exchange has no credential-activation round
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--broker with --provider tpm: pull mode does"
                    + " not carry the TPM's credential round (EK -> AK activation) yet; build a TPM image for push mode"
                    + " (attestation-client release --tpm-ek-root) or pull mode with another provider");
        }
        java.io.PrintWriter err = spec.commandLine().getErr();
        if ("simulated".equals(provider)) {
            err.println("image-builder: WARNING: --provider simulated: the guest will sign its evidence with SOFTWARE keys"
                    + " that prove nothing; hash.json gets \"simulated\": true, and a verifier accepts it only against"
                    + " the simulated anchor (attestation-client --simulated-anchor). Development and tests only.");
        }
        EncryptRequest request = new EncryptRequest(input, baseline, keyFile, output, format, verifierKey, agentRuntimes,
                imageId, provider, port, bootPartition, rootPartition, kdf.spec(), key, rimHex,
                java.util.Optional.ofNullable(broker));
        ConsoleProgress progress = out.progress();
        long start = System.nanoTime();
        EncryptResult r = RootEncryptor.encrypt(request, progress);
        progress.finishLine();
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (agentRuntimes.size() > 1) { // with one there was nothing to choose
            err.println("image-builder: agent runtime " + r.agentRuntimeChoice());
        }
        err.println("image-builder: hash.json signed by " + (r.signer().created() ? "a NEW build key " : "")
                + r.signer().privateFile() + "; pin its public key on the verifier host: attestation-client "
                + "--baseline-signer " + r.signer().publicFile());
        if (r.rim().isEmpty() && !"tpm".equals(provider)) { // a TPM has no RIM: its firmware PCRs take its place
            err.println("image-builder: note: hash.json has no \"rim\": attestation-client refuses without a RIM; give "
                    + "it --rim (the realm's initial measurement from its launch configuration, docs/rim.md)");
        }
        Path uefi = request.sidecar(RootEncryptor.UEFI_PREDICTION_SUFFIX);
        if (Files.isRegularFile(uefi)) {
            err.println("image-builder: the boot partition starts shim, then grub: what a UEFI boot must measure into a TPM"
                    + " is in " + uefi.getFileName() + " (PCRs 4 and 9 exactly, PCR 8's pinned strings; the exact events as a"
                    + " TCG2 log: " + request.sidecar(RootEncryptor.UEFI_PREDICTED_LOG_SUFFIX).getFileName() + ")");
        }
        err.flush();
        out.summary(() -> json(r, millis), () -> String.format(
                "wrote %s (%s, %,d bytes, LUKS2 %s on partition %d), %s, %s, %s in %.1f s",
                r.output(), r.format().name().toLowerCase(Locale.ROOT), r.diskBytes(), r.luksUuid(), r.rootPartition(),
                r.hashJson().getFileName(), r.eventLog().getFileName(), r.rems().getFileName(), millis / 1000.0));
        return ImageBuilderCli.EXIT_OK;
    }

    private static String json(EncryptResult r, long millis) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("output", r.output().toString());
        n.put("format", r.format().name().toLowerCase(Locale.ROOT));
        n.put("diskBytes", r.diskBytes());
        n.put("luksUuid", r.luksUuid().toString());
        n.put("rootPartition", r.rootPartition());
        n.put("luksOffset", r.luksOffset());
        n.put("luksBytes", r.luksBytes());
        n.put("cmdline", r.kernelArguments());
        n.put("agentRuntime", r.agentRuntime().toString());
        n.put("agentRuntimeArch", r.agentRuntimeArch());
        n.put("hashJson", r.hashJson().toString());
        n.put("eventLog", r.eventLog().toString());
        n.put("rems", r.rems().toString());
        n.put("hashJsonSignature", r.hashJsonSignature().toString());
        n.put("baselineSigner", r.signer().publicFile().toString());
        n.put("baselineSignerCreated", r.signer().created());
        r.rim().ifPresent(h -> n.put("rim", h));
        n.put("simulated", r.simulated());
        n.put("grubCfgDigest", r.grubCfgDigest());
        r.initramfsDigests().forEach(n.putArray("initramfsDigests")::add);
        r.predictedRems().forEach(n.putArray("predictedRems")::add);
        n.put("millis", millis);
        return n.toPrettyString();
    }
}
