package dev.cvmfde.imagebuilder.rootfs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.cvmfde.protocol.token.SimulatedTee;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventLogException;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.predict.EventLogPredictor;
import dev.cvmfde.refvalues.replay.Replayer;
import java.util.HexFormat;
import dev.cvmfde.imagebuilder.rootfs.EncryptException;
import dev.cvmfde.imagebuilder.rootfs.GrubConfig;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.KernelEntry;
import dev.cvmfde.refvalues.measure.BootFiles;
import dev.cvmfde.refvalues.measure.BootMeasurer;
import dev.cvmfde.refvalues.measure.KernelFiles;
import dev.cvmfde.refvalues.measure.MeasureException;
import dev.cvmfde.refvalues.measure.Measurements;
import dev.cvmfde.refvalues.predict.BootChain;
import dev.cvmfde.refvalues.uefi.FirmwarePcrs;
import dev.cvmfde.refvalues.uefi.UefiBoot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The new hash.json: the written boot partition measured in the input baseline's form and
 * algorithm, the input's unknown fields kept, the kernel command line pinned under
 * {@value #CMDLINE_FIELD} (what attestation-client compares with grub's {@code kernel_cmdline}),
 * and the policy fields attestation-client reads: {@value #RIM_FIELD} (the reference realm initial
 * measurement) and {@value #SIMULATED_FIELD} ({@code true} only for the simulated TEE; absent
 * otherwise, so a real image's baseline is never accepted against the simulated anchor).
 */
public final class BaselineUpdate {
    /** The field attestation-client reads (top level, or per {@code kernels[]} entry). */
    public static final String CMDLINE_FIELD = "cmdline";
    /** The reference RIM (hex), top level. */
    public static final String RIM_FIELD = "rim";
    /** {@code true} when the image is built for the simulated TEE, top level. */
    public static final String SIMULATED_FIELD = "simulated";
    private static final List<String> KERNEL_PREFIXES = List.of("vmlinuz-", "Image-");

    private BaselineUpdate() {
    }

    public static Baseline measure(Baseline input, BootEditor.Edited boot) throws IOException, EncryptException {
        Map<String, String> argsByKernel = boot.argumentsByKernel();
        List<String> versions = switch (input.form()) {
            case FLAT -> List.of(version(boot.entry().kernelPath()));
            case MULTI_KERNEL -> input.kernels().stream().map(k -> k.version().orElseThrow()).toList();
        };
        Baseline measured;
        try {
            BootFiles files = BootFiles.discover(boot.tree(), versions);
            measured = BootMeasurer.measure(files, input.hashAlg(), input.form());
        } catch (MeasureException e) {
            throw new EncryptException(EncryptException.Step.BASELINE, "measuring the written boot partition for the "
                    + input.form() + " baseline: " + e.getMessage(), e);
        }
        List<KernelEntry> kernels = new ArrayList<>();
        for (KernelEntry k : measured.kernels()) {
            Map<String, JsonNode> extra = new LinkedHashMap<>();
            if (k.version().isPresent()) {
                String v = k.version().get();
                input.kernel(v).ifPresent(old -> extra.putAll(old.extraFields()));
                extra.put(CMDLINE_FIELD, TextNode.valueOf(arguments(argsByKernel, v)));
            }
            kernels.add(new KernelEntry(k.version(), k.kernel(), k.initramfs(), extra));
        }
        Map<String, JsonNode> top = new LinkedHashMap<>(input.extraFields());
        // the shim is what the written partition holds, not what the input baseline said
        top.remove(Baseline.SHIM_FIELD);
        measured.shim().ifPresent(s -> top.put(Baseline.SHIM_FIELD, TextNode.valueOf(s.hex())));
        if (input.form() == Baseline.Form.FLAT) {
            top.put(CMDLINE_FIELD, TextNode.valueOf(boot.entry().kernelArguments()));
        }
        return new Baseline(measured.hashAlg(), measured.grub(), measured.grubCfg(), kernels, measured.form(), top);
    }

    /**
     * {@code baseline} with {@value #RIM_FIELD} set to {@code rim} (if any) and {@value #SIMULATED_FIELD}
     * set to {@code true} for the simulated TEE; input values of both fields are dropped (they
     * described the input, not this image).
     */
    public static Baseline withPolicy(Baseline baseline, Optional<String> rim, boolean simulated) {
        Map<String, JsonNode> top = new LinkedHashMap<>(baseline.extraFields());
        top.remove(RIM_FIELD);
        top.remove(SIMULATED_FIELD);
        rim.ifPresent(h -> top.put(RIM_FIELD, TextNode.valueOf(h)));
        if (simulated) {
            top.put(SIMULATED_FIELD, BooleanNode.TRUE);
        }
        return new Baseline(baseline.hashAlg(), baseline.grub(), baseline.grubCfg(), baseline.kernels(), baseline.form(),
                top);
    }

    /**
     * The RIM the simulated TEE will report when it replays this chain's predicted event log
     * ({@link SimulatedTee#rim} of the log's index-0 events replayed from zeros, SHA-256 bank, as
     * attestation-server's simulated provider does), in hex.
     */
    public static String simulatedRim(BootChain chain) throws EncryptException {
        List<LogEvent> initial = EventLogPredictor.predictEvents(chain).stream().filter(e -> e.index() == 0).toList();
        try {
            byte[] register = Replayer.replay(initial, LogFormat.TCG2, DigestAlgorithm.SHA256).get(0).value();
            return HexFormat.of().formatHex(SimulatedTee.rim(register));
        } catch (EventLogException e) {
            throw new EncryptException(EncryptException.Step.BASELINE, "the simulated RIM: " + e.getMessage(), e);
        }
    }

    /** The boot chain grub runs by default, for the event-log prediction. */
    public static BootChain chain(Baseline baseline, BootEditor.Edited boot) throws IOException, EncryptException {
        GrubConfig.BootEntry e = boot.entry();
        String version = version(e.kernelPath());
        Optional<KernelFiles> k = boot.files().kernels().stream().filter(f -> f.version().equals(version)).findFirst();
        if (k.isEmpty()) {
            throw new EncryptException(EncryptException.Step.BOOT, "grub's default entry boots " + e.kernelPath()
                    + ", which is not on the boot partition with an initramfs");
        }
        try {
            return BootChain.fromFiles(baseline.hashAlg(), boot.files().grubEfi(), boot.files().grubCfg(),
                    "/" + boot.grubCfgPath(), e.commandsBeforeLinux(), k.get().kernel(), e.kernelPath(),
                    e.kernelArguments(), k.get().initramfs(), e.initrdPath());
        } catch (MeasureException ex) {
            throw new EncryptException(EncryptException.Step.BASELINE, "predicting the event log: " + ex.getMessage(), ex);
        }
    }

    /**
     * The UEFI boot of the written partition, when the firmware starts shim and shim starts grub
     * ({@link BootFiles#shim()}): what it must measure into a TPM ({@code UefiBootPredictor}).
     */
    public static Optional<UefiBoot> uefiBoot(Baseline baseline, BootEditor.Edited boot) throws IOException, EncryptException {
        Optional<Path> shim = boot.files().shim();
        if (shim.isEmpty()) {
            return Optional.empty();
        }
        BootChain chain = chain(baseline, boot);
        GrubConfig.BootEntry e = boot.entry();
        DigestAlgorithm alg = baseline.hashAlg();
        try {
            return Optional.of(new UefiBoot(Optional.of(Measurements.authenticode(shim.get(), alg)), chain.grubImage(),
                    chain.grubCfg(), GrubConfig.loaderCommand(boot.grubCfg(), e.kernelPath()).orElse("linux"),
                    chain.kernel(), chain.kernelArguments(),
                    GrubConfig.loaderCommand(boot.grubCfg(), e.initrdPath()).orElse("initrd"), chain.initramfs()));
        } catch (MeasureException ex) {
            throw new EncryptException(EncryptException.Step.BASELINE, "measuring the shim: " + ex.getMessage(), ex);
        }
    }

    /**
     * Checks the {@code "tpm"} member (firmware PCRs of a golden boot, {@link FirmwarePcrs}) an input
     * baseline carries; it describes the platform, not the image, so it is kept into the new hash.json.
     */
    public static void checkFirmwarePcrs(Baseline input) throws EncryptException {
        JsonNode tpm = input.extraFields().get(FirmwarePcrs.MEMBER);
        if (tpm != null) {
            try {
                FirmwarePcrs.fromJson(tpm);
            } catch (IllegalArgumentException e) {
                throw new EncryptException(EncryptException.Step.BASELINE, "input hash.json: " + e.getMessage(), e);
            }
        }
    }

    private static String arguments(Map<String, String> argsByKernel, String version) {
        for (String prefix : KERNEL_PREFIXES) {
            String a = argsByKernel.get(prefix + version);
            if (a != null) {
                return a;
            }
        }
        return "";
    }

    static String version(String kernelPath) throws EncryptException {
        String name = kernelPath.substring(kernelPath.lastIndexOf('/') + 1);
        for (String prefix : KERNEL_PREFIXES) {
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                return name.substring(prefix.length());
            }
        }
        throw new EncryptException(EncryptException.Step.BOOT, "grub's default entry boots " + kernelPath
                + "; a kernel named vmlinuz-VERSION or Image-VERSION is expected");
    }
}
