package dev.cvmfde.refvalues.uefi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cvmfde.refvalues.Digest;
import dev.cvmfde.refvalues.DigestAlgorithm;
import dev.cvmfde.refvalues.compare.GrubEvents;
import dev.cvmfde.refvalues.eventlog.EventDigest;
import dev.cvmfde.refvalues.eventlog.EventLog;
import dev.cvmfde.refvalues.eventlog.EventLogException;
import dev.cvmfde.refvalues.eventlog.EventLogHeader;
import dev.cvmfde.refvalues.eventlog.EventType;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.eventlog.SpecIdEvent;
import dev.cvmfde.refvalues.predict.MeasuredFile;
import dev.cvmfde.refvalues.replay.Registers;
import dev.cvmfde.refvalues.replay.Replayer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a UEFI + shim + grub boot of an image must measure into the TPM, as OVMF (edk2), shim 15+
 * and grub 2.06 log it (checked against a golden boot's log, boot-test/uefi-tpm.sh):
 * <ul>
 * <li>PCR 4: the firmware's {@value #BOOT_OPTION_ACTION} action, its separator, then shim's
 *     Authenticode hash (the firmware loads it) and grub's (shim loads it and logs it the same way);
 *     exact, so the PCR 4 value is predicted;
 * <li>PCR 9: the files grub reads, in order: grub.cfg, the kernel, the initramfs; exact, so the
 *     PCR 9 value is predicted;
 * <li>PCR 8: grub's strings; the three the baseline pins are predicted ({@code linux PATH ARGS},
 *     {@code kernel_cmdline: PATH ARGS}, {@code initrd PATH}); the others (the signed grub's
 *     embedded config, grub.cfg's own commands) come from grub.cfg, which PCR 9 pins, and are held
 *     to the allow-list, not predicted, so the PCR 8 value is not.
 * </ul>
 * Not predicted: PCRs 0–3 and 7 (the firmware: recorded from a golden boot, {@link FirmwarePcrs}),
 * PCR 5 (the GPT and ExitBootServices) and PCR 14 (shim's MOK lists).
 */
public final class UefiBootPredictor {
    /** The EV_EFI_ACTION edk2 logs in PCR 4 before it starts a boot option. */
    public static final String BOOT_OPTION_ACTION = "Calling EFI Application from Boot Option";
    /** The PCRs whose values the prediction gives exactly. */
    public static final List<Integer> PREDICTED_PCRS = List.of(4, 9);
    static final int PCR_BOOT_APPLICATIONS = 4;
    static final int PCR_GRUB_STRINGS = 8;
    static final int PCR_GRUB_FILES = 9;
    /** UEFI_IMAGE_LOAD_EVENT with unknown addresses and no device path (not extended: only the digest is). */
    private static final int IMAGE_LOAD_EVENT_BYTES = 32;
    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private UefiBootPredictor() {
    }

    /** The events of PCRs 4 and 9 (exact) and the pinned strings of PCR 8, in log order. */
    public static List<LogEvent> predictEvents(UefiBoot boot) {
        DigestAlgorithm alg = boot.algorithm();
        List<LogEvent> out = new ArrayList<>();
        byte[] action = BOOT_OPTION_ACTION.getBytes(StandardCharsets.US_ASCII);
        out.add(event(PCR_BOOT_APPLICATIONS, EventType.EV_EFI_ACTION, Digest.of(alg, action), action));
        byte[] separator = new byte[4];
        out.add(event(PCR_BOOT_APPLICATIONS, EventType.EV_SEPARATOR, Digest.of(alg, separator), separator));
        boot.shim().ifPresent(s -> out.add(event(PCR_BOOT_APPLICATIONS, EventType.EV_EFI_BOOT_SERVICES_APPLICATION, s,
                new byte[IMAGE_LOAD_EVENT_BYTES])));
        out.add(event(PCR_BOOT_APPLICATIONS, EventType.EV_EFI_BOOT_SERVICES_APPLICATION, boot.grub(),
                new byte[IMAGE_LOAD_EVENT_BYTES]));
        out.add(file(boot.grubCfg()));
        out.add(string(alg, GrubEvents.GRUB_CMD_PREFIX, boot.linuxCommand() + " " + boot.kernelLine()));
        out.add(file(boot.kernel()));
        out.add(string(alg, GrubEvents.KERNEL_CMDLINE_PREFIX, boot.kernelLine()));
        out.add(string(alg, GrubEvents.GRUB_CMD_PREFIX, boot.initrdCommand() + " " + boot.initramfs().path()));
        out.add(file(boot.initramfs()));
        return out;
    }

    /** The predicted PCRs ({@link #PREDICTED_PCRS}) from zeros. */
    public static Registers predictPcrs(UefiBoot boot) throws EventLogException {
        return Replayer.replay(exactEvents(boot), LogFormat.TCG2, boot.algorithm());
    }

    /**
     * A TCG2 log of the exactly predicted events (PCRs 4 and 9 only), for tools that replay logs
     * ({@code tpm2_eventlog}): its PCR 4 and 9 must equal the boot's.
     */
    public static EventLog exactLog(UefiBoot boot) {
        return new EventLog(LogFormat.TCG2, new EventLogHeader(0, SpecIdEvent.of(List.of(boot.algorithm()))),
                exactEvents(boot));
    }

    /** The prediction as JSON: predicted PCR values, every predicted event, and what is not predicted. */
    public static byte[] toJson(UefiBoot boot) throws EventLogException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", "cvm-fde uefi boot prediction v1");
        root.put("hash_alg", boot.algorithm().hashJsonName().orElse(boot.algorithm().bankName()));
        root.put("pcr_bank", boot.algorithm().bankName());
        Registers r = predictPcrs(boot);
        ObjectNode pcrs = root.putObject("pcrs");
        for (int p : PREDICTED_PCRS) {
            pcrs.put(Integer.toString(p), r.get(p).hex());
        }
        ArrayNode events = root.putArray("events");
        for (LogEvent e : predictEvents(boot)) {
            ObjectNode o = events.addObject();
            o.put("pcr", e.index());
            o.put("type", EventType.name(e.type()));
            o.put("digest", e.digest(boot.algorithm()).orElseThrow().hex());
            if (e.type() == EventType.EV_IPL || e.type() == EventType.EV_EFI_ACTION) {
                o.put("data", e.dataAsText());
            }
        }
        ObjectNode not = root.putObject("not_predicted");
        not.put("0-3,7", "the firmware's: recorded from a golden boot (hash.json \"" + FirmwarePcrs.MEMBER + "\")");
        not.put("5", "the GPT and ExitBootServices actions");
        not.put("8", "grub's other commands (its embedded config, grub.cfg's lines): held to the allow-list");
        not.put("14", "shim's MOK lists");
        try {
            return (MAPPER.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("serialising a tree of strings failed", e);
        }
    }

    private static List<LogEvent> exactEvents(UefiBoot boot) {
        return predictEvents(boot).stream().filter(e -> PREDICTED_PCRS.contains(e.index())).toList();
    }

    private static LogEvent event(int pcr, int type, Digest d, byte[] data) {
        return new LogEvent(pcr, type, List.of(EventDigest.of(d)), data);
    }

    private static LogEvent file(MeasuredFile f) {
        return event(PCR_GRUB_FILES, EventType.EV_IPL, f.digest(), cString(f.path()));
    }

    private static LogEvent string(DigestAlgorithm alg, String prefix, String body) {
        return event(PCR_GRUB_STRINGS, EventType.EV_IPL, Digest.of(alg, body.getBytes(StandardCharsets.UTF_8)),
                cString(prefix + body));
    }

    private static byte[] cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(b, b.length + 1);
    }
}
