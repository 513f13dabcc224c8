package dev.cvmfde.refvalues.compare;

import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.compare.GrubEvents.GrubEvent;
import dev.cvmfde.refvalues.compare.SequenceDeviation.Kind;
import dev.cvmfde.refvalues.eventlog.EventType;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.KernelEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The measured events of a CCEL log, in one bank, held against the exact sequence a baseline
 * allows (the idea of Keylime's measured-boot policy); fed one event at a time, so a streamed log
 * needs no more memory than the report. Per register:
 * <ul>
 * <li>MR 0: nothing but EV_NO_ACTION (MR 0 is the initial measurement; no event enters a REM there).
 * <li>MR 1 (REM[0]): the firmware's own events ({@link #FIRMWARE_CONFIG}, {@link #FIRMWARE_CODE}).
 * <li>MR 2 (REM[1]): firmware configuration events and exactly one EFI application, grub; with a
 *     baseline that names a shim ({@link Baseline#shim()}), exactly two, shim then grub.
 * <li>MR 3 (REM[2]): with a shim, first shim's MOK variable events ({@link #SHIM_VARIABLES}, PCR 14
 *     on a TPM); then grub's events, in this order: grub.cfg; {@code linux PATH ARGS}; the kernel
 *     file; {@code kernel_cmdline: PATH ARGS} (equal to the {@code linux} line); {@code initrd
 *     PATH}; the initramfs file. Other grub commands may come before grub.cfg, between grub.cfg and
 *     {@code linux}, between the command line and {@code initrd}, and after the initramfs, unless
 *     they load code or stop measuring ({@link GrubEvents#FORBIDDEN_COMMANDS}).
 * <li>MR 4 (REM[3]): nothing.
 * </ul>
 * EV_NO_ACTION events are never extended and so never compared. Everything else is a
 * {@link SequenceDeviation}; the first grub application, grub.cfg, kernel and initramfs in their
 * places are the components, compared with the baseline.
 */
public final class BootAllowList {
    /** Most deviations kept in a report (the first ones; a refusal needs only one). */
    public static final int MAX_DEVIATIONS = 100;
    /** Longest event text quoted in a deviation. */
    static final int MAX_QUOTED_CHARS = 160;

    /** Firmware events that record configuration and load no code: allowed in MR 1 and MR 2. */
    static final Set<Integer> FIRMWARE_CONFIG = Set.of(EventType.EV_SEPARATOR, EventType.EV_EFI_ACTION,
            EventType.EV_ACTION, EventType.EV_EFI_VARIABLE_DRIVER_CONFIG, EventType.EV_EFI_VARIABLE_BOOT,
            EventType.EV_EFI_VARIABLE_BOOT2, EventType.EV_EFI_VARIABLE_AUTHORITY, EventType.EV_EFI_GPT_EVENT,
            EventType.EV_EFI_HANDOFF_TABLES, EventType.EV_EFI_HANDOFF_TABLES2, EventType.EV_PLATFORM_CONFIG_FLAGS,
            EventType.EV_TABLE_OF_DEVICES, EventType.EV_OMIT_BOOT_DEVICE_EVENTS);
    /** The firmware's own code and versions (covered by the RIM): allowed in MR 1 only. */
    static final Set<Integer> FIRMWARE_CODE = Set.of(EventType.EV_POST_CODE, EventType.EV_S_CRTM_CONTENTS,
            EventType.EV_S_CRTM_VERSION, EventType.EV_CPU_MICROCODE, EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB,
            EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB2, EventType.EV_EFI_HCRTM_EVENT, EventType.EV_NONHOST_INFO);

    /**
     * The variables shim measures (EV_IPL, PCR 14) before it starts grub: its MOK lists. Their
     * content decides only what shim would accept under Secure Boot; everything it then runs is
     * measured itself, so they are allowed by name, before grub's first event, and only after a shim.
     */
    static final Set<String> SHIM_VARIABLES = Set.of("MokList", "MokListX", "MokListTrusted");

    private static final List<String> KERNEL_PREFIXES = List.of("vmlinuz-", "Image-");
    private static final List<String> KERNEL_NAMES = List.of("vmlinuz", "Image");

    /** The places of grub's sequence in MR 3, in order. */
    private enum Slot {
        GRUB_CFG("the grub.cfg file event"),
        LINUX("grub_cmd: linux PATH ARGS"),
        KERNEL_FILE("the kernel file event (right after grub_cmd: linux)"),
        KERNEL_CMDLINE("kernel_cmdline: PATH ARGS (right after the kernel file)"),
        INITRD("grub_cmd: initrd PATH"),
        INITRD_FILE("the initramfs file event (right after grub_cmd: initrd)"),
        DONE("no further loader event: the baseline allows one kernel and one initramfs");

        final String expected;

        Slot(String expected) {
            this.expected = expected;
        }

        /** Grub interprets its script here, so a plain command may come. */
        boolean allowsCommands() {
            return this == GRUB_CFG || this == LINUX || this == INITRD || this == DONE;
        }
    }

    private final Baseline baseline;
    private final DigestAlgorithm bank;
    private final List<SequenceDeviation> deviations = new ArrayList<>();
    private final List<String> integrityFailures = new ArrayList<>();
    private final List<String> commands = new ArrayList<>();
    private long number;
    private Slot slot = Slot.GRUB_CFG;
    private boolean grubEventSeen;
    private ComponentResult shim;
    private ComponentResult grub;
    private ComponentResult grubCfg;
    private ComponentResult kernel;
    private ComponentResult initramfs;
    private Optional<KernelEntry> entry = Optional.empty();
    private Optional<String> version = Optional.empty();
    private String linuxLine;
    private String kernelCmdline;

    /**
     * @param bank the digest algorithm of the registers the events were replayed into (the
     *     token's REM algorithm); the baseline's {@code hash_alg} must be the same
     */
    public BootAllowList(Baseline baseline, DigestAlgorithm bank) {
        this.baseline = baseline;
        this.bank = bank;
        if (baseline.hashAlg() != bank) {
            deviate(0, -1, Kind.ALGORITHM_MISMATCH, "hash_alg " + name(bank) + " (the bank of the registers)",
                    "hash_alg " + name(baseline.hashAlg()));
        }
    }

    /** Holds the next event of the log against the sequence. */
    public void accept(LogEvent e) {
        number++;
        if (e.index() == 0) {
            if (e.type() != EventType.EV_NO_ACTION) {
                deviate(Kind.INDEX_0_EVENT, e, "only EV_NO_ACTION at MR index 0 (no event there enters a REM)");
            }
            return;
        }
        if (e.type() == EventType.EV_NO_ACTION) {
            return;
        }
        Optional<Digest> d = e.digest(bank);
        if (d.isEmpty()) {
            deviate(Kind.NO_DIGEST_IN_BANK, e, "a " + bank.bankName() + " digest (the bank of the registers)");
            return;
        }
        switch (e.index()) {
            case 1 -> {
                if (!FIRMWARE_CONFIG.contains(e.type()) && !FIRMWARE_CODE.contains(e.type())) {
                    deviate(Kind.NOT_ALLOWED, e, "the firmware's own events in MR 1");
                }
            }
            case 2 -> bootApplication(e, d.get());
            case 3 -> osLoader(e, d.get());
            default -> deviate(Kind.NOT_ALLOWED, e, "no events in MR " + e.index());
        }
    }

    private void bootApplication(LogEvent e, Digest d) {
        if (FIRMWARE_CONFIG.contains(e.type())) {
            return;
        }
        Optional<Digest> expectedShim = baseline.shim();
        if (e.type() != EventType.EV_EFI_BOOT_SERVICES_APPLICATION) {
            deviate(Kind.NOT_ALLOWED, e, "firmware configuration events and " + (expectedShim.isPresent()
                    ? "two EFI applications (shim, then grub)" : "one EFI application (grub)") + " in MR 2");
        } else if (expectedShim.isPresent() && shim == null) {
            shim = result(Component.SHIM, expectedShim.get(), d, Optional.empty());
        } else if (grub == null) {
            grub = result(Component.GRUB, baseline.grub(), d, Optional.empty());
        } else {
            deviate(Kind.NOT_ALLOWED, e, expectedShim.isPresent()
                    ? "exactly two EFI applications in MR 2 (shim and grub, already logged)"
                    : "exactly one EFI application in MR 2 (grub, already logged)");
        }
    }

    private void osLoader(LogEvent e, Digest d) {
        if (e.type() != EventType.EV_IPL) {
            deviate(Kind.NOT_ALLOWED, e, "only grub's EV_IPL events in MR 3");
            return;
        }
        if (!grubEventSeen && shim != null && SHIM_VARIABLES.contains(e.dataAsText())) {
            return; // shim's MOK lists, logged before it starts grub
        }
        grubEventSeen = true;
        switch (GrubEvents.classify(e, d)) {
            case GrubEvent.Inconsistent i -> {
                if (integrityFailures.size() < MAX_DEVIATIONS) {
                    integrityFailures.add("event " + number + " (" + i.prefix().trim() + " " + quote(i.text())
                            + "): logged digest " + i.logged().hex() + " is not " + bank.bankName() + " of its text ("
                            + i.computed().hex() + ")");
                }
            }
            case GrubEvent.Command c -> command(e, c);
            case GrubEvent.KernelCmdline k -> {
                if (slot != Slot.KERNEL_CMDLINE) {
                    deviate(Kind.NOT_ALLOWED, e, expectedHere("one kernel_cmdline, right after the kernel file"));
                    return;
                }
                if (!k.text().equals(linuxLine)) {
                    deviate(Kind.NOT_ALLOWED, e, "kernel_cmdline: " + linuxLine + " (the linux command's)");
                }
                kernelCmdline = k.text();
                slot = Slot.INITRD;
            }
            case GrubEvent.ModuleCmdline m -> deviate(Kind.NOT_ALLOWED, e, "no multiboot module");
            case GrubEvent.File f -> file(e, f);
        }
    }

    private void command(LogEvent e, GrubEvent.Command c) {
        String name = c.name();
        if (GrubEvents.LINUX_COMMANDS.contains(name)) {
            if (slot == Slot.LINUX) {
                linuxLine = c.text().substring(name.length()).strip();
                slot = Slot.KERNEL_FILE;
                keep(c);
            } else {
                deviate(slot == Slot.GRUB_CFG ? Kind.OUT_OF_ORDER : Kind.NOT_ALLOWED, e,
                        expectedHere("one linux command, after grub.cfg"));
            }
        } else if (GrubEvents.INITRD_COMMANDS.contains(name)) {
            if (slot == Slot.INITRD) {
                if (c.arguments().size() != 1) {
                    deviate(Kind.NOT_ALLOWED, e, "one initrd path (the baseline has one initramfs per kernel)");
                }
                slot = Slot.INITRD_FILE;
                keep(c);
            } else {
                deviate(slot.compareTo(Slot.INITRD) < 0 ? Kind.OUT_OF_ORDER : Kind.NOT_ALLOWED, e,
                        expectedHere("one initrd command, after the kernel command line"));
            }
        } else if (GrubEvents.FORBIDDEN_COMMANDS.contains(name)) {
            deviate(Kind.NOT_ALLOWED, e, "no " + name + " (it loads what the baseline does not name, or stops "
                    + "measuring)");
        } else if (slot.allowsCommands()) {
            keep(c);
        } else {
            deviate(Kind.OUT_OF_ORDER, e, slot.expected);
        }
    }

    private void file(LogEvent e, GrubEvent.File f) {
        switch (slot) {
            case GRUB_CFG -> {
                if (!f.fileName().equals("grub.cfg")) {
                    deviate(Kind.NOT_ALLOWED, e, Slot.GRUB_CFG.expected);
                    return;
                }
                grubCfg = result(Component.GRUB_CFG, baseline.grubCfg(), f.digest(), Optional.of(f.path()));
                slot = Slot.LINUX;
            }
            case KERNEL_FILE -> {
                kernel(f);
                slot = Slot.KERNEL_CMDLINE;
            }
            case INITRD_FILE -> {
                initramfs = entry.isEmpty() ? notInBaseline(Component.INITRAMFS, f)
                        : result(Component.INITRAMFS, entry.get().initramfs(), f.digest(), Optional.of(f.path()));
                slot = Slot.DONE;
            }
            default -> deviate(Kind.NOT_ALLOWED, e, expectedHere("no file other than grub.cfg, the kernel and "
                    + "its initramfs"));
        }
    }

    /**
     * The kernel entry is the one whose kernel digest the log holds (the logged path's version
     * decides between entries with the same kernel); without one, the entry the path names, or
     * the flat form's only entry, gives the expected digest of a mismatch.
     */
    private void kernel(GrubEvent.File f) {
        String v = kernelVersion(f.fileName());
        List<KernelEntry> byDigest = baseline.kernels().stream().filter(k -> k.kernel().equals(f.digest())).toList();
        Optional<KernelEntry> named = baseline.form() == Baseline.Form.FLAT ? Optional.of(baseline.kernels().getFirst())
                : v == null || v.isEmpty() ? Optional.empty() : baseline.kernel(v);
        if (!byDigest.isEmpty()) {
            entry = named.filter(byDigest::contains).or(() -> Optional.of(byDigest.getFirst()));
        } else {
            entry = named;
        }
        version = entry.flatMap(KernelEntry::version).or(() -> Optional.ofNullable(v).filter(s -> !s.isEmpty()));
        kernel = entry.isEmpty() ? notInBaseline(Component.KERNEL, f)
                : result(Component.KERNEL, entry.get().kernel(), f.digest(), Optional.of(f.path()));
    }

    /** The report; call once, after the last event. */
    public ComparisonReport report() {
        if (baseline.shim().isPresent() && shim == null) {
            deviate(0, 2, Kind.MISSING, "the shim EFI application event", "the log ends");
        }
        if (grub == null) {
            deviate(0, 2, Kind.MISSING, "the grub EFI application event", "the log ends");
        }
        if (slot != Slot.DONE) {
            deviate(0, 3, Kind.MISSING, slot.expected, "the log ends");
        }
        List<ComponentResult> out = new ArrayList<>();
        baseline.shim().ifPresent(s -> out.add(shim != null ? shim : missing(Component.SHIM, Optional.of(s))));
        out.addAll(List.of(
                grub != null ? grub : missing(Component.GRUB, Optional.of(baseline.grub())),
                grubCfg != null ? grubCfg : missing(Component.GRUB_CFG, Optional.of(baseline.grubCfg())),
                kernel != null ? kernel : missing(Component.KERNEL, entry.map(KernelEntry::kernel)
                        .or(() -> single().map(KernelEntry::kernel))),
                initramfs != null ? initramfs : missing(Component.INITRAMFS, entry.map(KernelEntry::initramfs)
                        .or(() -> single().map(KernelEntry::initramfs)))));
        return new ComparisonReport(out, commands, Optional.ofNullable(kernelCmdline), integrityFailures, deviations);
    }

    private Optional<KernelEntry> single() {
        return baseline.kernels().size() == 1 ? Optional.of(baseline.kernels().getFirst()) : Optional.empty();
    }

    private ComponentResult result(Component c, Digest expected, Digest actual, Optional<String> path) {
        Optional<String> v = c == Component.KERNEL || c == Component.INITRAMFS ? version : Optional.empty();
        return new ComponentResult(c, v, Optional.of(expected), Optional.of(actual), path,
                expected.equals(actual) ? Verdict.MATCH : Verdict.MISMATCH);
    }

    private ComponentResult notInBaseline(Component c, GrubEvent.File f) {
        return new ComponentResult(c, version, Optional.empty(), Optional.of(f.digest()), Optional.of(f.path()),
                Verdict.NOT_IN_BASELINE);
    }

    private ComponentResult missing(Component c, Optional<Digest> expected) {
        Optional<String> v = c == Component.KERNEL || c == Component.INITRAMFS ? version : Optional.empty();
        return new ComponentResult(c, v, expected, Optional.empty(), Optional.empty(), Verdict.MISSING_EVENT);
    }

    private void keep(GrubEvent.Command c) {
        if (commands.size() < GrubEvents.MAX_COMMANDS) {
            commands.add(c.text());
        }
    }

    private String expectedHere(String rule) {
        return rule + "; here: " + slot.expected;
    }

    private void deviate(Kind kind, LogEvent e, String expected) {
        deviate(number, e.index(), kind, expected, describe(e));
    }

    private void deviate(long event, int mr, Kind kind, String expected, String actual) {
        if (deviations.size() < MAX_DEVIATIONS) {
            deviations.add(new SequenceDeviation(event, mr, kind, expected, actual));
        }
    }

    /** {@code EV_IPL "grub_cmd: linux …"} or {@code EV_EFI_BOOT_SERVICES_APPLICATION sha-256:…}. */
    private String describe(LogEvent e) {
        String digest = e.digest(bank).map(Digest::hex).orElse("no " + bank.bankName() + " digest");
        if (e.type() == EventType.EV_IPL) {
            return EventType.name(e.type()) + " \"" + quote(e.dataAsText()) + "\" (" + digest + ")";
        }
        return EventType.name(e.type()) + " (" + digest + ")";
    }

    private static String quote(String text) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length() && sb.length() < MAX_QUOTED_CHARS; i++) {
            char c = text.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return text.length() > MAX_QUOTED_CHARS ? sb + "…" : sb.toString();
    }

    private static String name(DigestAlgorithm a) {
        return a.hashJsonName().orElse(a.bankName());
    }

    /** The version in a kernel file name ("" for an unversioned name), else null. */
    private static String kernelVersion(String fileName) {
        if (KERNEL_NAMES.contains(fileName)) {
            return "";
        }
        for (String p : KERNEL_PREFIXES) {
            if (fileName.startsWith(p) && fileName.length() > p.length()) {
                return fileName.substring(p.length());
            }
        }
        return null;
    }
}
