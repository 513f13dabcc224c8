package dev.cvmfde.refvalues.compare;

import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.EventType;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The boot-chain events of a log, collected one event at a time (so a streamed log needs no
 * more memory than these few values): EFI applications the firmware loaded, the files grub
 * measured (EV_IPL with the path as text), grub's commands ({@code grub_cmd: …}) and the kernel
 * command line ({@code kernel_cmdline: …}). Grub measures a string's bytes without its prefix or
 * trailing NUL; strings whose text does not hash to the logged digest are set aside.
 */
public final class GrubEvents {
    public static final String GRUB_CMD_PREFIX = "grub_cmd: ";
    public static final String KERNEL_CMDLINE_PREFIX = "kernel_cmdline: ";
    public static final String MODULE_CMDLINE_PREFIX = "module_cmdline: ";
    /** Most grub commands kept; a real boot runs a few dozen. */
    public static final int MAX_COMMANDS = 10_000;

    /** A file grub measured: the path it logged and the digest. */
    public record FileEvent(String path, Digest digest) {
        /** The last path component. */
        public String fileName() {
            int slash = path.lastIndexOf('/');
            return slash < 0 ? path : path.substring(slash + 1);
        }
    }

    private final DigestAlgorithm alg;
    private final List<Digest> efiApplications = new ArrayList<>();
    private final List<FileEvent> files = new ArrayList<>();
    private final List<String> commands = new ArrayList<>();
    private final List<String> integrityFailures = new ArrayList<>();
    private String kernelCmdline;
    private long number;

    public GrubEvents(DigestAlgorithm alg) {
        this.alg = alg;
    }

    /** Collects one event. */
    public void accept(LogEvent e) {
        number++;
        Optional<Digest> d = e.digest(alg);
        if (e.type() == EventType.EV_EFI_BOOT_SERVICES_APPLICATION) {
            d.ifPresent(efiApplications::add);
            return;
        }
        if (e.type() != EventType.EV_IPL || d.isEmpty()) {
            return;
        }
        String text = e.dataAsText();
        for (String prefix : List.of(GRUB_CMD_PREFIX, KERNEL_CMDLINE_PREFIX, MODULE_CMDLINE_PREFIX)) {
            if (text.startsWith(prefix)) {
                string(prefix, text.substring(prefix.length()), d.get());
                return;
            }
        }
        if (files.size() < MAX_COMMANDS) {
            files.add(new FileEvent(text, d.get()));
        }
    }

    private void string(String prefix, String body, Digest logged) {
        Digest computed = Digest.of(alg, body.getBytes(StandardCharsets.ISO_8859_1));
        if (!computed.equals(logged)) {
            if (integrityFailures.size() < MAX_COMMANDS) {
                integrityFailures.add("event " + number + " (" + prefix.trim() + " " + body + "): logged digest "
                        + logged.hex() + " is not " + alg.bankName() + " of its text (" + computed.hex() + ")");
            }
            return;
        }
        if (prefix.equals(GRUB_CMD_PREFIX) && commands.size() < MAX_COMMANDS) {
            commands.add(body);
        } else if (prefix.equals(KERNEL_CMDLINE_PREFIX)) {
            kernelCmdline = body;
        }
    }

    public List<Digest> efiApplications() {
        return List.copyOf(efiApplications);
    }

    public List<FileEvent> files() {
        return List.copyOf(files);
    }

    public List<String> grubCommands() {
        return List.copyOf(commands);
    }

    /**
     * The kernel command line as grub measured it ({@code kernel_cmdline:}, the kernel path
     * first), else the arguments of the last {@code linux} command.
     */
    public Optional<String> kernelCommandLine() {
        if (kernelCmdline != null) {
            return Optional.of(kernelCmdline);
        }
        for (int i = commands.size() - 1; i >= 0; i--) {
            String c = commands.get(i);
            if (c.startsWith("linux ") || c.startsWith("linuxefi ")) {
                return Optional.of(c.substring(c.indexOf(' ') + 1));
            }
        }
        return Optional.empty();
    }

    public List<String> integrityFailures() {
        return List.copyOf(integrityFailures);
    }
}
