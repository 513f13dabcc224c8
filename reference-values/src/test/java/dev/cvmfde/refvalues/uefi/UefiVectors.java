package dev.cvmfde.refvalues.uefi;

import dev.cvmfde.refvalues.eventlog.EventLogLimits;
import dev.cvmfde.refvalues.eventlog.EventLogReader;
import dev.cvmfde.refvalues.eventlog.LogEvent;
import dev.cvmfde.refvalues.eventlog.LogFormat;
import dev.cvmfde.refvalues.hashjson.Baseline;
import dev.cvmfde.refvalues.hashjson.HashJson;
import dev.cvmfde.refvalues.predict.MeasuredFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real OVMF + shim + grub boot (vectors/uefi/SOURCE.md). */
public final class UefiVectors {
    public static final String KERNEL_ARGS = "root=UUID=3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b ro console=ttyS0,115200 "
            + "rd.neednet=1 ip=dhcp panic=10";

    private UefiVectors() {
    }

    public static Path dir() throws Exception {
        return Path.of(UefiVectors.class.getResource("/vectors/uefi/SOURCE.md").toURI()).getParent();
    }

    public static Path log() throws Exception {
        return dir().resolve("ovmf-shim-grub.tpm-log.bin");
    }

    public static Baseline baseline() throws Exception {
        return HashJson.read(dir().resolve("ovmf-shim-grub.hash.json"));
    }

    /** The log's events (PCR indices, after the Spec ID header), in order. */
    public static List<LogEvent> events() throws Exception {
        List<LogEvent> out = new ArrayList<>();
        try (EventLogReader r = EventLogReader.open(log(), LogFormat.TCG2, EventLogLimits.DEFAULT)) {
            for (LogEvent e; (e = r.next()) != null;) {
                out.add(e);
            }
        }
        return out;
    }

    /** The boot as its files were measured into hash.json, with the paths grub logged. */
    public static UefiBoot boot(Baseline b) {
        return new UefiBoot(b.shim(), b.grub(), new MeasuredFile("(hd0,gpt1)/EFI/debian/grub.cfg", b.grubCfg()),
                "linuxefi", new MeasuredFile("/vmlinuz-6.1.0-57-amd64", b.kernels().getFirst().kernel()), KERNEL_ARGS,
                "initrdefi", new MeasuredFile("/initrd.img-6.1.0-57-amd64", b.kernels().getFirst().initramfs()));
    }
}
