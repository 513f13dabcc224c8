package dev.cvmfde.refvalues.compare;

import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.compare.GrubEvents.FileEvent;
import dev.cvmfde.refvalues.eventlog.EventLogException;
import dev.cvmfde.refvalues.eventlog.EventLogReader;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.KernelEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Compares the boot chain an event log records with a {@link Baseline}, mapping events to
 * hash.json entries the way the virtCCA reference verifier does (see the module README): grub is
 * an EV_EFI_BOOT_SERVICES_APPLICATION, grub.cfg, kernel and initramfs are EV_IPL file events
 * named by their path. Unlike the reference, an absent event is a failure, never a pass.
 */
public final class BaselineComparator {
    private static final List<String> KERNEL_PREFIXES = List.of("vmlinuz-", "Image-");
    private static final List<String> KERNEL_NAMES = List.of("vmlinuz", "Image");
    private static final List<String> INITRD_PREFIXES = List.of("initramfs-", "initrd.img-", "initrd-");
    private static final List<String> INITRD_NAMES = List.of("initramfs.img", "initrd.img", "initrd");

    private BaselineComparator() {
    }

    public static ComparisonReport compare(List<LogEvent> events, Baseline baseline) {
        GrubEvents g = new GrubEvents(baseline.hashAlg());
        events.forEach(g::accept);
        return compare(g, baseline);
    }

    /** Streams the reader's remaining events. */
    public static ComparisonReport compare(EventLogReader reader, Baseline baseline)
            throws IOException, EventLogException {
        GrubEvents g = new GrubEvents(baseline.hashAlg());
        for (LogEvent e; (e = reader.next()) != null;) {
            g.accept(e);
        }
        return compare(g, baseline);
    }

    public static ComparisonReport compare(GrubEvents g, Baseline baseline) {
        List<ComponentResult> out = new ArrayList<>();
        out.add(grub(g.efiApplications(), baseline.grub()));
        Optional<FileEvent> cfg = g.files().stream().filter(f -> f.fileName().equals("grub.cfg")).findFirst();
        out.add(file(Component.GRUB_CFG, Optional.empty(), Optional.of(baseline.grubCfg()), cfg));
        Optional<FileEvent> kernel = g.files().stream().filter(f -> version(f, KERNEL_PREFIXES, KERNEL_NAMES) != null)
                .findFirst();
        Optional<FileEvent> initrd = g.files().stream().filter(f -> version(f, INITRD_PREFIXES, INITRD_NAMES) != null)
                .findFirst();
        Optional<KernelEntry> entry = selectEntry(baseline, kernel);
        Optional<String> version = entry.flatMap(KernelEntry::version)
                .or(() -> kernel.map(k -> version(k, KERNEL_PREFIXES, KERNEL_NAMES)).filter(v -> !v.isEmpty()));
        if (entry.isEmpty() && kernel.isPresent()) {
            out.add(new ComponentResult(Component.KERNEL, version, Optional.empty(), kernel.map(FileEvent::digest),
                    kernel.map(FileEvent::path), Verdict.NOT_IN_BASELINE));
            out.add(new ComponentResult(Component.INITRAMFS, version, Optional.empty(),
                    initrd.map(FileEvent::digest), initrd.map(FileEvent::path), Verdict.NOT_IN_BASELINE));
        } else {
            out.add(file(Component.KERNEL, version, entry.map(KernelEntry::kernel), kernel));
            out.add(file(Component.INITRAMFS, version, entry.map(KernelEntry::initramfs), initrd));
        }
        return new ComparisonReport(out, g.grubCommands(), g.kernelCommandLine(), g.integrityFailures());
    }

    private static ComponentResult grub(List<Digest> apps, Digest expected) {
        if (apps.isEmpty()) {
            return new ComponentResult(Component.GRUB, Optional.empty(), Optional.of(expected), Optional.empty(),
                    Optional.empty(), Verdict.MISSING_EVENT);
        }
        Optional<Digest> hit = apps.stream().filter(expected::equals).findFirst();
        return new ComponentResult(Component.GRUB, Optional.empty(), Optional.of(expected),
                Optional.of(hit.orElse(apps.getLast())), Optional.empty(),
                hit.isPresent() ? Verdict.MATCH : Verdict.MISMATCH);
    }

    private static ComponentResult file(Component c, Optional<String> version, Optional<Digest> expected,
            Optional<FileEvent> actual) {
        Verdict v;
        if (actual.isEmpty()) {
            v = Verdict.MISSING_EVENT;
        } else if (expected.isEmpty()) {
            v = Verdict.NOT_IN_BASELINE;
        } else {
            v = expected.get().equals(actual.get().digest()) ? Verdict.MATCH : Verdict.MISMATCH;
        }
        return new ComponentResult(c, version, expected, actual.map(FileEvent::digest), actual.map(FileEvent::path), v);
    }

    /** Flat form: the only entry. Multi-kernel: by the version in the logged path, else by digest. */
    private static Optional<KernelEntry> selectEntry(Baseline b, Optional<FileEvent> kernel) {
        if (b.form() == Baseline.Form.FLAT) {
            return Optional.of(b.kernels().getFirst());
        }
        if (kernel.isEmpty()) {
            return b.kernels().size() == 1 ? Optional.of(b.kernels().getFirst()) : Optional.empty();
        }
        String v = version(kernel.get(), KERNEL_PREFIXES, KERNEL_NAMES);
        Optional<KernelEntry> byVersion = v.isEmpty() ? Optional.empty() : b.kernel(v);
        return byVersion.or(() -> b.kernels().stream().filter(k -> k.kernel().equals(kernel.get().digest())).findFirst());
    }

    /** The version suffix when the file name is a kernel/initrd name ("" for an unversioned name), else null. */
    private static String version(FileEvent f, List<String> prefixes, List<String> names) {
        String name = f.fileName();
        if (names.contains(name)) {
            return "";
        }
        for (String p : prefixes) {
            if (name.startsWith(p) && name.length() > p.length()) {
                String v = name.substring(p.length());
                return p.startsWith("initramfs") && v.endsWith(".img") ? v.substring(0, v.length() - 4) : v;
            }
        }
        return null;
    }
}
