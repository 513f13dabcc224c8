package dev.cvmfde.server.provider.internal;

import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceException.Kind;
import dev.cvmfde.server.provider.EvidenceProvider;
import dev.cvmfde.server.provider.MeasurementEvent;
import dev.cvmfde.server.provider.MeasurementExtension;
import dev.cvmfde.server.provider.RawEvidence;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Evidence from Linux configfs-tsm (Documentation/ABI/testing/configfs-tsm-report, Linux ≥ 6.7;
 * Arm CCA guests from 6.13). Each attempt makes its own report directory, reads
 * {@code generation}, writes the 64-byte {@code inblob}, reads {@code outblob}, {@code provider},
 * the optional {@code auxblob}, and {@code generation} again; the directory is removed whatever
 * happens. If the generation moved by anything but our one write, another writer touched the report
 * (or the kernel dropped our write, which configfs can do silently on close) and the attempt is
 * repeated, up to {@link #MAX_ATTEMPTS}.
 */
public final class TsmProvider implements EvidenceProvider {
    public static final String NAME = "tsm";
    /** TSM_REPORT_OUTBLOB_MAX is 32 KiB in the kernel; we allow twice that for future kernels. */
    public static final int MAX_OUTBLOB_BYTES = 64 * 1024;
    /** auxblob shares the kernel's outblob maximum. */
    public static final int MAX_AUXBLOB_BYTES = 64 * 1024;
    /** "18446744073709551615\n" is 21 bytes. */
    public static final int MAX_GENERATION_BYTES = 32;
    public static final int MAX_PROVIDER_NAME_BYTES = 64;
    public static final int MAX_ATTEMPTS = 3;

    private static final System.Logger LOG = System.getLogger(TsmProvider.class.getName());
    private static final Pattern PROVIDER_NAME = Pattern.compile("[a-z0-9_\\-]{1,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path reportRoot;
    private final ConfigfsIo io;
    private final CcelReader ccel;

    public TsmProvider(Path reportRoot, Path acpiTablesRoot, ConfigfsIo io) {
        this.reportRoot = reportRoot;
        this.io = io;
        this.ccel = new CcelReader(acpiTablesRoot, NAME);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** One attempt's outcome: a report, or the reason another writer spoiled it. */
    private sealed interface Attempt {
        record Report(String kernelProvider, byte[] outblob, Optional<byte[]> auxblob) implements Attempt {
        }

        record Interfered(String reason) implements Attempt {
        }
    }

    /**
     * configfs-tsm reports have no extend operation. Linux 6.16's measurement-register interface
     * ({@code tsm-mr}: {@code /sys/class/misc/<driver>/measurements/}) is used by the TDX guest
     * driver (RTMRs) only; the Arm CCA guest driver exposes no REM to extend (RSI_MEASUREMENT_EXTEND
     * is reachable from the kernel alone). docs/boot-chain.md says what this leaves open.
     */
    @Override
    public MeasurementExtension extend(MeasurementEvent event) {
        return new MeasurementExtension.Unsupported(NAME + ": configfs-tsm has no extend operation and the Arm CCA guest"
                + " driver exposes no REM to user space (RSI_MEASUREMENT_EXTEND is kernel-only); REM[" + event.rem()
                + "] stays as booted");
    }

    @Override
    public RawEvidence collect(byte[] challenge) throws EvidenceException {
        byte[] inblob = EvidenceProvider.requireChallenge(NAME, challenge);
        if (!Files.isDirectory(reportRoot)) {
            throw new EvidenceException(Kind.UNAVAILABLE, NAME + ": no " + reportRoot + ": this kernel has no"
                    + " configfs-tsm (needs Linux >= 6.7 with CONFIG_TSM_REPORTS, and configfs mounted:"
                    + " mount -t configfs none /sys/kernel/config); use --provider virtcca or simulated");
        }
        String lastReason = "";
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Path dir = makeReportDirectory();
            Attempt outcome;
            try {
                outcome = generate(dir, inblob);
            } finally {
                remove(dir);
            }
            switch (outcome) {
                case Attempt.Report r -> {
                    List<byte[]> chain = r.auxblob().map(List::of).orElse(List.of());
                    return new RawEvidence(NAME + ":" + r.kernelProvider(), r.outblob(), ccel.read(), chain);
                }
                case Attempt.Interfered i -> {
                    lastReason = i.reason();
                    LOG.log(Level.WARNING, "{0}: attempt {1} of {2} spoiled: {3}", NAME, attempt, MAX_ATTEMPTS,
                            lastReason);
                }
            }
        }
        throw new EvidenceException(Kind.BUSY, NAME + ": another process kept changing the report; gave up after "
                + MAX_ATTEMPTS + " attempts (last: " + lastReason + "); run only one attestation agent");
    }

    private Path makeReportDirectory() throws EvidenceException {
        for (int tries = 0; ; tries++) {
            Path dir = reportRoot.resolve("cvmfde-" + ProcessHandle.current().pid() + "-"
                    + HexFormat.of().formatHex(randomBytes()));
            try {
                io.mkdir(dir);
                return dir;
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EEXIST || tries >= 3) {
                    throw KernelErrors.toEvidenceException(NAME, "creating the report directory", e);
                }
            }
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    private Attempt generate(Path dir, byte[] inblob) throws EvidenceException {
        try {
            long before = generation(dir);
            step(dir, "writing inblob", () -> {
                io.write(dir.resolve("inblob"), inblob);
                return null;
            });
            byte[] outblob = step(dir, "reading outblob",
                    () -> io.read(dir.resolve("outblob"), MAX_OUTBLOB_BYTES, "MAX_OUTBLOB_BYTES"));
            String kernelProvider = providerName(dir);
            Optional<byte[]> auxblob = auxblob(dir);
            long after = generation(dir);
            if (after == before) {
                return new Attempt.Interfered("generation stayed at " + before
                        + " after our inblob write: the kernel did not take the write");
            }
            if (after - before != 1) {
                return new Attempt.Interfered("generation went from " + Long.toUnsignedString(before) + " to "
                        + Long.toUnsignedString(after) + " around our single write");
            }
            if (outblob.length == 0) {
                throw new EvidenceException(Kind.MALFORMED, NAME + ": " + dir.resolve("outblob")
                        + " is empty; the TSM provider '" + kernelProvider + "' produced no report");
            }
            return new Attempt.Report(kernelProvider, outblob, auxblob);
        } catch (Vanished v) {
            return new Attempt.Interfered("report directory " + dir + " vanished while " + v.getMessage());
        }
    }

    /** The report directory was removed under us: another process interfered. */
    private static final class Vanished extends Exception {
        Vanished(String step) {
            super(step, null, false, false);
        }
    }

    private interface Io<T> {
        T run() throws ErrnoException;
    }

    private <T> T step(Path dir, String step, Io<T> action) throws EvidenceException, Vanished {
        try {
            return action.run();
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                if (!Files.isDirectory(dir)) {
                    throw new Vanished(step);
                }
                throw new EvidenceException(Kind.UNAVAILABLE, NAME + ": " + step + " failed: " + e.getMessage()
                        + ": " + reportRoot + " does not behave like configfs-tsm (the kernel creates every"
                        + " attribute when the report directory is made)", e);
            }
            throw KernelErrors.toEvidenceException(NAME, step, e);
        }
    }

    private long generation(Path dir) throws EvidenceException, Vanished {
        byte[] raw = step(dir, "reading generation",
                () -> io.read(dir.resolve("generation"), MAX_GENERATION_BYTES, "MAX_GENERATION_BYTES"));
        String text = new String(raw, StandardCharsets.US_ASCII).strip();
        try {
            return Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            throw new EvidenceException(Kind.MALFORMED, NAME + ": " + dir.resolve("generation")
                    + " holds '" + printable(text) + "'; expected an unsigned decimal number", e);
        }
    }

    private String providerName(Path dir) throws EvidenceException, Vanished {
        byte[] raw = step(dir, "reading provider",
                () -> io.read(dir.resolve("provider"), MAX_PROVIDER_NAME_BYTES, "MAX_PROVIDER_NAME_BYTES"));
        String name = new String(raw, StandardCharsets.US_ASCII).strip();
        if (!PROVIDER_NAME.matcher(name).matches()) {
            throw new EvidenceException(Kind.MALFORMED, NAME + ": " + dir.resolve("provider") + " holds '"
                    + printable(name) + "'; expected a kernel TSM name such as arm_cca_guest or tdx_guest");
        }
        return name;
    }

    private Optional<byte[]> auxblob(Path dir) throws EvidenceException, Vanished {
        Path aux = dir.resolve("auxblob");
        if (!Files.exists(aux)) {
            return Optional.empty(); // the attribute is only visible for TSMs that emit one (sev_guest)
        }
        byte[] raw = step(dir, "reading auxblob", () -> io.read(aux, MAX_AUXBLOB_BYTES, "MAX_AUXBLOB_BYTES"));
        return raw.length == 0 ? Optional.empty() : Optional.of(raw);
    }

    private void remove(Path dir) {
        try {
            io.rmdir(dir);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOENT) {
                LOG.log(Level.WARNING, "{0}: could not remove report directory: {1}", NAME, e.getMessage());
            }
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
