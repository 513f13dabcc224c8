package dev.cvmfde.refvalues.predict;

import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.compare.GrubEvents;
import dev.cvmfde.refvalues.eventlog.EventDigest;
import dev.cvmfde.refvalues.eventlog.EventLog;
import dev.cvmfde.refvalues.eventlog.EventLogException;
import dev.cvmfde.refvalues.eventlog.EventLogHeader;
import dev.cvmfde.refvalues.eventlog.EventLogWriter;
import dev.cvmfde.refvalues.eventlog.EventType;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.eventlog.SpecIdEvent;
import dev.cvmfde.refvalues.replay.Registers;
import dev.cvmfde.refvalues.replay.Replayer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Predicts the CCEL events that firmware and grub write for a {@link BootChain}: the firmware's
 * EV_EFI_BOOT_SERVICES_APPLICATION for grub (PCR 4 → MR 2 → REM[1]), then grub's EV_IPL events
 * (PCR 8 strings and PCR 9 files → MR 3 → REM[2]) in the order grub makes them: grub.cfg, each
 * command, {@code linux} with the kernel file and {@code kernel_cmdline}, {@code initrd} with the
 * initramfs file. Firmware's own events (REM[0], the rest of REM[1]) depend on the firmware build
 * and are not predicted; REM[2] is predicted exactly when the commands are exact.
 */
public final class EventLogPredictor {
    /** CC MR index of PCR 4 (boot applications), UEFI 2.10 §38.4.1. */
    public static final int MR_BOOT_APPLICATIONS = 2;
    /** CC MR index of PCRs 8–15 (grub's strings and files). */
    public static final int MR_OS_LOADER = 3;
    /** UEFI_IMAGE_LOAD_EVENT with unknown load address and an empty device path: four zero UINT64s. */
    private static final int IMAGE_LOAD_EVENT_BYTES = 32;

    private EventLogPredictor() {
    }

    /** The predicted events, in log order (without the Spec ID header). */
    public static List<LogEvent> predictEvents(BootChain chain) {
        DigestAlgorithm alg = chain.algorithm();
        List<LogEvent> out = new ArrayList<>();
        out.add(new LogEvent(MR_BOOT_APPLICATIONS, EventType.EV_EFI_BOOT_SERVICES_APPLICATION,
                List.of(EventDigest.of(chain.grubImage())), new byte[IMAGE_LOAD_EVENT_BYTES]));
        out.add(file(chain.grubCfg()));
        for (String c : chain.commandsBeforeLinux()) {
            out.add(string(alg, GrubEvents.GRUB_CMD_PREFIX, c));
        }
        String kernelLine = chain.kernelArguments().isEmpty()
                ? chain.kernel().path() : chain.kernel().path() + " " + chain.kernelArguments();
        out.add(string(alg, GrubEvents.GRUB_CMD_PREFIX, "linux " + kernelLine));
        out.add(file(chain.kernel()));
        out.add(string(alg, GrubEvents.KERNEL_CMDLINE_PREFIX, kernelLine));
        out.add(string(alg, GrubEvents.GRUB_CMD_PREFIX, "initrd " + chain.initramfs().path()));
        out.add(file(chain.initramfs()));
        return out;
    }

    /** The predicted log: a CCEL log with a Spec ID header declaring the chain's one bank. */
    public static EventLog predict(BootChain chain) {
        return new EventLog(LogFormat.CCEL, new EventLogHeader(0, SpecIdEvent.of(List.of(chain.algorithm()))),
                predictEvents(chain));
    }

    /** Writes the predicted log atomically. */
    public static void write(BootChain chain, Path target) throws IOException, EventLogException {
        EventLogWriter.write(predict(chain), target);
    }

    /** REM[0..3] that replaying only the predicted events gives. */
    public static Registers predictRems(BootChain chain) throws EventLogException {
        return Replayer.replay(predictEvents(chain), LogFormat.CCEL, chain.algorithm());
    }

    private static LogEvent file(MeasuredFile f) {
        return new LogEvent(MR_OS_LOADER, EventType.EV_IPL, List.of(EventDigest.of(f.digest())), cString(f.path()));
    }

    private static LogEvent string(DigestAlgorithm alg, String prefix, String body) {
        Digest d = Digest.of(alg, body.getBytes(StandardCharsets.UTF_8));
        return new LogEvent(MR_OS_LOADER, EventType.EV_IPL, List.of(EventDigest.of(d)), cString(prefix + body));
    }

    private static byte[] cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.copyOf(b, b.length + 1);
    }
}
