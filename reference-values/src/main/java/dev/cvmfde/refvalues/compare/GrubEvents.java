package dev.cvmfde.refvalues.compare;

import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * What one of grub's EV_IPL events is: a command it ran ({@code grub_cmd: …}), the kernel
 * command line ({@code kernel_cmdline: …}), a multiboot module line ({@code module_cmdline: …}),
 * or a file it read (the path as text). Grub measures a string's bytes without its prefix or
 * trailing NUL, so a string whose text does not hash to its logged digest is
 * {@link GrubEvent.Inconsistent}: its text proves nothing.
 */
public final class GrubEvents {
    public static final String GRUB_CMD_PREFIX = "grub_cmd: ";
    public static final String KERNEL_CMDLINE_PREFIX = "kernel_cmdline: ";
    public static final String MODULE_CMDLINE_PREFIX = "module_cmdline: ";
    /** Most grub commands kept in a report; a real boot runs a few dozen. */
    public static final int MAX_COMMANDS = 10_000;

    /** The commands that boot Linux ({@code linux}) and give it its initrd, in grub's three spellings. */
    static final Set<String> LINUX_COMMANDS = Set.of("linux", "linuxefi", "linux16");
    static final Set<String> INITRD_COMMANDS = Set.of("initrd", "initrdefi", "initrd16");
    /**
     * Commands that load code or data for another kernel or loader, or stop grub measuring
     * ({@code rmmod tpm}): never in the allowed sequence.
     */
    static final Set<String> FORBIDDEN_COMMANDS = Set.of("chainloader", "devicetree", "multiboot", "multiboot2",
            "module", "module2", "xen_hypervisor", "xen_module", "kfreebsd", "knetbsd", "kopenbsd", "appleloader",
            "rmmod", "acpi");

    /** One classified grub event. */
    public sealed interface GrubEvent {
        /** {@code grub_cmd:}: the command as grub ran it, after variable expansion. */
        record Command(String text) implements GrubEvent {
            /** The command's first word. */
            public String name() {
                int sp = text.indexOf(' ');
                return sp < 0 ? text : text.substring(0, sp);
            }

            /** The words after the first. */
            public List<String> arguments() {
                String rest = text.indexOf(' ') < 0 ? "" : text.substring(text.indexOf(' ') + 1).strip();
                return rest.isEmpty() ? List.of() : List.of(rest.split(" +"));
            }
        }

        /** {@code kernel_cmdline:}: the kernel path, then the arguments. */
        record KernelCmdline(String text) implements GrubEvent {
        }

        /** {@code module_cmdline:} (multiboot). */
        record ModuleCmdline(String text) implements GrubEvent {
        }

        /** A file grub read: the path it logged and the file's digest. */
        record File(String path, Digest digest) implements GrubEvent {
            /** The last path component. */
            public String fileName() {
                int slash = path.lastIndexOf('/');
                return slash < 0 ? path : path.substring(slash + 1);
            }
        }

        /** A string event whose text does not hash to its logged digest. */
        record Inconsistent(String prefix, String text, Digest logged, Digest computed) implements GrubEvent {
        }
    }

    private GrubEvents() {
    }

    /** Classifies an EV_IPL event whose digest in the compared bank is {@code logged}. */
    public static GrubEvent classify(LogEvent e, Digest logged) {
        String text = e.dataAsText();
        for (String prefix : List.of(GRUB_CMD_PREFIX, KERNEL_CMDLINE_PREFIX, MODULE_CMDLINE_PREFIX)) {
            if (text.startsWith(prefix)) {
                String body = text.substring(prefix.length());
                DigestAlgorithm alg = logged.algorithm();
                Digest computed = Digest.of(alg, body.getBytes(StandardCharsets.ISO_8859_1));
                if (!computed.equals(logged)) {
                    return new GrubEvent.Inconsistent(prefix, body, logged, computed);
                }
                return switch (prefix) {
                    case GRUB_CMD_PREFIX -> new GrubEvent.Command(body);
                    case KERNEL_CMDLINE_PREFIX -> new GrubEvent.KernelCmdline(body);
                    default -> new GrubEvent.ModuleCmdline(body);
                };
            }
        }
        return new GrubEvent.File(text, logged);
    }
}
