package dev.cvmfde.refvalues.measure;

import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.KernelEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a {@link Baseline} from boot files: grub's Authenticode hash, grub.cfg's file digest,
 * per kernel the (decompressed) kernel digest and the initramfs file digest; and shim's
 * Authenticode hash when the firmware starts shim before grub ({@link BootFiles#shim()}).
 */
public final class BootMeasurer {
    private BootMeasurer() {
    }

    /**
     * Discovers and measures the boot files under {@code bootDir}. The flat form is used for a
     * single kernel unless {@code forceMultiKernel}; several kernels always give the multi-kernel form.
     */
    public static Baseline measure(Path bootDir, List<String> versions, DigestAlgorithm alg, boolean forceMultiKernel)
            throws IOException, MeasureException {
        BootFiles files = BootFiles.discover(bootDir, versions);
        Baseline.Form form = files.kernels().size() == 1 && !forceMultiKernel
                ? Baseline.Form.FLAT : Baseline.Form.MULTI_KERNEL;
        return measure(files, alg, form);
    }

    /** Measures the given boot files into a baseline of the given form. */
    public static Baseline measure(BootFiles files, DigestAlgorithm alg, Baseline.Form form)
            throws IOException, MeasureException {
        if (alg.hashJsonName().isEmpty()) {
            throw new IllegalArgumentException("hash.json allows sha-256 and sha-512; got " + alg.bankName());
        }
        Digest grub = Measurements.authenticode(files.grubEfi(), alg);
        Digest cfg = Measurements.file(files.grubCfg(), alg);
        List<KernelEntry> kernels = new ArrayList<>();
        for (KernelFiles k : files.kernels()) {
            Optional<String> version = form == Baseline.Form.FLAT ? Optional.empty() : Optional.of(k.version());
            kernels.add(new KernelEntry(version, Measurements.kernel(k.kernel(), alg),
                    Measurements.file(k.initramfs(), alg), Map.of()));
        }
        Baseline b = new Baseline(alg, grub, cfg, kernels, form, Map.of());
        Optional<Path> shim = files.shim();
        return shim.isPresent() ? b.withShim(Measurements.authenticode(shim.get(), alg)) : b;
    }
}
