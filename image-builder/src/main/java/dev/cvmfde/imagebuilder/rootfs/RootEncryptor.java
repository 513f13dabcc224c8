package dev.cvmfde.imagebuilder.rootfs;

import dev.cvmfde.agent.config.AgentConfig;
import dev.cvmfde.agent.initramfs.AgentOverlay;
import dev.cvmfde.agent.initramfs.OverlayFile;
import dev.cvmfde.agent.luks.LuksHeaderPin;
import dev.cvmfde.imagebuilder.disk.AtomicOutput;
import dev.cvmfde.imagebuilder.disk.VirtualDisk;
import dev.cvmfde.imagebuilder.disk.VirtualDisks;
import dev.cvmfde.imagebuilder.initramfs.InitramfsOverlay;
import dev.cvmfde.imagebuilder.initramfs.OverlayEntry;
import dev.cvmfde.imagebuilder.luks.LuksContainer;
import dev.cvmfde.imagebuilder.luks.LuksException;
import dev.cvmfde.imagebuilder.luks.LuksOptions;
import dev.cvmfde.imagebuilder.partition.PartitionTables;
import dev.cvmfde.imagebuilder.rootfs.internal.BaselineUpdate;
import dev.cvmfde.imagebuilder.partition.PartitionTable;
import dev.cvmfde.imagebuilder.rootfs.internal.BootDisk;
import dev.cvmfde.imagebuilder.rootfs.internal.BootEditor;
import dev.cvmfde.imagebuilder.rootfs.internal.DiskPlan;
import dev.cvmfde.imagebuilder.rootfs.internal.DiskWrite;
import dev.cvmfde.imagebuilder.rootfs.internal.Layout;
import dev.cvmfde.imagebuilder.rootfs.internal.RuntimeChoice;
import dev.cvmfde.imagebuilder.rootfs.internal.WorkDir;
import com.nimbusds.jose.JOSEException;
import dev.cvmfde.protocol.baseline.BaselineSignature;
import dev.cvmfde.protocol.secret.KeyFile;
import dev.cvmfde.protocol.secret.KeyFileException;
import dev.cvmfde.refvalues.eventlog.EventLogException;
import dev.cvmfde.refvalues.eventlog.EventLogWriter;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.HashJson;
import dev.cvmfde.refvalues.hashjson.HashJsonException;
import dev.cvmfde.refvalues.hashjson.KernelEntry;
import dev.cvmfde.refvalues.predict.BootChain;
import dev.cvmfde.refvalues.predict.EventLogPredictor;
import dev.cvmfde.refvalues.replay.Registers;
import dev.cvmfde.refvalues.uefi.UefiBoot;
import dev.cvmfde.refvalues.uefi.UefiBootPredictor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Root-partition mode (the virtCCA flow): the partitions are found by type and content
 * ({@code Layout}: vfat or ext4 boot partitions, {@code /boot} inside the root beside an ESP, BLS
 * entries, GPT or MBR); the root partition becomes a LUKS2 container holding the original file
 * system block for block (same ext4 UUID; {@code /etc/fstab} edited where it named the root by
 * device path, {@link Fstab}), the clear boot partition gets the
 * encrypted-root command line and the agent's initramfs overlay (its runtime is the one, among
 * those given, of the CPU architecture every kernel it is added for shares, {@code RuntimeChoice}),
 * and the updated hash.json, the
 * predicted event log and its REMs are written beside the disk; the hash.json is always signed
 * ({@link BaselineSigningKey}) and carries the RIM when known and {@code "simulated": true} for the
 * simulated provider. The input is only read; every output appears complete or not at all.
 */
public final class RootEncryptor {
    /** On the boot partition: the predicted event log the simulated TEE replays (not measured). */
    public static final String SIMULATED_CCEL_DIR = "cvm-fde";
    public static final String SIMULATED_CCEL_NAME = "simulated-ccel.bin";
    /**
     * Beside the disk when its boot partition starts shim before grub: what a UEFI boot must measure
     * into a TPM (PCRs 4 and 9 exactly, PCR 8's pinned strings; {@link UefiBootPredictor}), and the
     * exactly predicted events as a TCG2 log.
     */
    public static final String UEFI_PREDICTION_SUFFIX = ".uefi-boot.json";
    public static final String UEFI_PREDICTED_LOG_SUFFIX = ".uefi-boot.log";

    private RootEncryptor() {
    }

    public static EncryptResult encrypt(EncryptRequest r, ProgressListener progress)
            throws IOException, EncryptException, LuksException, KeyFileException, EventLogException {
        Baseline input = readBaseline(r.baseline());
        BaselineUpdate.checkFirmwarePcrs(input);
        RuntimeChoice runtimes = RuntimeChoice.read(r.agentRuntimes());
        BaselineSigningKey signer = BaselineSigningKey.loadOrCreate(r.signWith());
        List<Path> inputs = List.of(r.input(), r.baseline(), r.keyFile(), r.verifierKey());
        Path outDir = r.output().toAbsolutePath().getParent();
        LuksOptions options = LuksOptions.luks2().withKdf(r.kdf());
        try (KeyFile key = KeyFile.read(r.keyFile());
             VirtualDisk in = VirtualDisks.open(r.input())) {
            PartitionTable table = PartitionTables.read(in);
            byte[] sector0 = new byte[512];
            in.read(0, java.nio.ByteBuffer.wrap(sector0));
            try (AtomicOutput disk = AtomicOutput.create(r.output(), inputs);
                 AtomicOutput hash = AtomicOutput.create(r.sidecar(".hash.json"), inputs);
                 AtomicOutput ccel = AtomicOutput.create(r.sidecar(".ccel"), inputs);
                 AtomicOutput rems = AtomicOutput.create(r.sidecar(".rems.json"), inputs);
                 AtomicOutput jws = AtomicOutput.create(r.sidecar(".hash.json" + BaselineSignature.FILE_SUFFIX), inputs);
                 AtomicOutput uefiJson = AtomicOutput.create(r.sidecar(UEFI_PREDICTION_SUFFIX), inputs);
                 AtomicOutput uefiLog = AtomicOutput.create(r.sidecar(UEFI_PREDICTED_LOG_SUFFIX), inputs);
                 WorkDir work = WorkDir.create(outDir, r.output().getFileName().toString());
                 LuksContainer luks = LuksContainer.create(options, key.passphrase(), new SecureRandom())) {
                progress.stage("partitions");
                Layout layout = Layout.find(in, table, r.bootPartition(), r.rootPartition(), work);
                BootDisk boot = BootDisk.prepare(in, layout, runtimes,
                        runtime -> overlay(r, runtime.dir(), luks.uuid(), luks.headerPin()), work);
                DiskPlan plan = DiskPlan.of(layout, in.size(), options.dataOffset(), boot.newBootBytes(), sector0);
                progress.stage("boot partition");
                BootEditor.Edited edited = boot.edit();
                Baseline measured = BaselineUpdate.measure(input, edited);
                BootChain chain = BaselineUpdate.chain(measured, edited);
                java.util.Optional<String> rim = r.rim().isEmpty() && r.simulated()
                        ? java.util.Optional.of(BaselineUpdate.simulatedRim(chain)) : r.rim();
                Baseline output = BaselineUpdate.withPolicy(measured, rim, r.simulated());
                byte[] hashBytes = HashJson.toBytes(output);
                Files.write(hash.tempFile(), hashBytes);
                Files.writeString(jws.tempFile(), sign(hashBytes, signer) + "\n", StandardCharsets.US_ASCII);
                Files.write(ccel.tempFile(), EventLogWriter.toBytes(EventLogPredictor.predict(chain)));
                Registers predicted = EventLogPredictor.predictRems(chain);
                List<String> remHex = new ArrayList<>();
                for (int i = 0; i < predicted.size(); i++) {
                    remHex.add(predicted.get(i).hex());
                }
                Files.writeString(rems.tempFile(), remsJson(remHex, chain), StandardCharsets.UTF_8);
                BootEditor.addFile(boot.simulatedLogFs(), SIMULATED_CCEL_DIR, SIMULATED_CCEL_NAME, ccel.tempFile());
                Optional<UefiBoot> uefi = BaselineUpdate.uefiBoot(measured, edited);
                if (uefi.isPresent()) {
                    Files.write(uefiJson.tempFile(), UefiBootPredictor.toJson(uefi.get()));
                    Files.write(uefiLog.tempFile(), EventLogWriter.toBytes(UefiBootPredictor.exactLog(uefi.get())));
                }
                boot.finishRoot();

                progress.stage("disk");
                DiskWrite.write(in, plan, boot.placements(plan), boot.rootImage(), luks, r.outputFormat(),
                        disk.tempFile(), work, progress);
                disk.commit();
                hash.commit();
                ccel.commit();
                rems.commit();
                jws.commit();
                if (uefi.isPresent()) {
                    uefiJson.commit();
                    uefiLog.commit();
                } else { // no shim on this image: a prediction left from an earlier build would describe another
                    Files.deleteIfExists(uefiJson.target());
                    Files.deleteIfExists(uefiLog.target());
                }
                return new EncryptResult(disk.target(), r.outputFormat(), plan.outputBytes(), luks.uuid(),
                        layout.root().index(), plan.rootOutOffset(), plan.rootBytes() + options.dataOffset(),
                        edited.entry().kernelArguments(), hash.target(), ccel.target(), rems.target(),
                        jws.target(), signer, rim, r.simulated(), remHex,
                        output.grubCfg().hex(), output.kernels().stream().map(KernelEntry::initramfs)
                                .map(d -> d.hex()).toList(),
                        boot.chosen().runtime().dir(), boot.chosen().runtime().arch().toString(), boot.chosen().describe());
            }
        }
    }

    /** The detached JWS over the exact hash.json bytes. */
    private static String sign(byte[] hashJson, BaselineSigningKey signer) throws EncryptException {
        try {
            return BaselineSignature.sign(hashJson, signer.key());
        } catch (IllegalArgumentException | JOSEException e) {
            // the signer's message could quote key material: name the file and the kind of problem only
            throw new EncryptException(EncryptException.Step.BASELINE, "signing hash.json with " + signer.privateFile()
                    + " failed: not a private EC key on P-256 or P-384 (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Baseline readBaseline(Path file) throws IOException, EncryptException {
        try {
            return HashJson.read(file);
        } catch (HashJsonException e) {
            throw new EncryptException(EncryptException.Step.BASELINE, "input " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The agent's overlay (fde-agent's {@link AgentOverlay}) with {@code runtime} for the new LUKS volume; its
     * agent.json records the header's shape and the volume key's fingerprint ({@code luksHeader}),
     * which the agent checks before it lets cryptsetup read the disk's header.
     */
    static InitramfsOverlay overlay(EncryptRequest r, Path runtime, UUID luksUuid, LuksHeaderPin header)
            throws IOException, EncryptException {
        List<OverlayFile> files;
        try {
            AgentConfig config = AgentConfig.defaults(luksUuid.toString()).withImageId(r.imageId())
                    .withProvider(r.provider()).withPort(r.port()).withLuksHeader(header);
            if (r.broker().isPresent()) {
                config = config.withBroker(r.broker().get());
            }
            files = AgentOverlay.entries(config, r.verifierKey(), runtime);
        } catch (IllegalArgumentException | IOException e) {
            throw new EncryptException(EncryptException.Step.AGENT, e.getMessage(), e);
        }
        List<OverlayEntry> entries = new ArrayList<>();
        for (OverlayFile f : files) {
            entries.add(f.directory() ? OverlayEntry.directory(f.path()) : OverlayEntry.file(f.path(), f.mode(), f.content()));
        }
        try {
            return new InitramfsOverlay(entries);
        } catch (IllegalArgumentException e) {
            throw new EncryptException(EncryptException.Step.AGENT, e.getMessage(), e);
        }
    }

    private static String remsJson(List<String> rems, BootChain chain) {
        StringBuilder s = new StringBuilder("{\n  \"hash_alg\": \"")
                .append(chain.algorithm().hashJsonName().orElseThrow()).append("\",\n  \"rems\": [");
        for (int i = 0; i < rems.size(); i++) {
            s.append(i == 0 ? "\n    \"" : ",\n    \"").append(rems.get(i)).append('"');
        }
        return s.append("\n  ],\n  \"exact\": [2],\n  \"note\": \"REM[2] is exact for the predicted grub commands; "
                + "REM[0] and REM[1] hold firmware events that are not predicted\"\n}\n").toString();
    }
}
