package dev.cvmfde.server.provider.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.cvmfde.server.provider.EvidenceException;
import dev.cvmfde.server.provider.EvidenceException.Kind;
import dev.cvmfde.server.provider.EvidenceProvider;
import dev.cvmfde.server.provider.MeasurementEvent;
import dev.cvmfde.server.provider.MeasurementExtension;
import dev.cvmfde.server.provider.RawEvidence;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * Evidence from a virtCCA confidential VM: the attestation token from the TMM through
 * {@code ioctl(/dev/tsi, TMM_GET_ATTESTATION_TOKEN)}, the device certificate through
 * {@code TMM_GET_DEVICE_CERT}, and the CCEL event log from ACPI sysfs. The structs and numbers are
 * in {@link TsiAbi}; the calls go through FFM ({@link Libc}) with the exact errno captured.
 */
public final class VirtCcaProvider implements EvidenceProvider {
    public static final String NAME = "virtcca";

    private static final System.Logger LOG = System.getLogger(VirtCcaProvider.class.getName());

    private final Path device;
    private final CcelReader ccel;

    public VirtCcaProvider(Path device, Path acpiTablesRoot) {
        this.device = device;
        this.ccel = new CcelReader(acpiTablesRoot, NAME);
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * virtCCA's {@code /dev/tsi} has no extend request: the uapi header defines
     * {@code struct virtcca_cvm_measurement_extend} but no ioctl for it (TMM_GET_TSI_VERSION,
     * TMM_GET_ATTESTATION_TOKEN, TMM_GET_DEVICE_CERT, the migration and data-key requests only);
     * the kernel's {@code tsi_measurement_extend} SMC wrapper is not reachable from user space.
     */
    @Override
    public MeasurementExtension extend(MeasurementEvent event) {
        return new MeasurementExtension.Unsupported(NAME + ": /dev/tsi offers no measurement-extend ioctl (the TSI"
                + " extend call is kernel-only); REM[" + event.rem() + "] stays as booted");
    }

    @Override
    public RawEvidence collect(byte[] challenge) throws EvidenceException {
        byte[] copy = EvidenceProvider.requireChallenge(NAME, challenge);
        if (Libc.cLongBytes() != Long.BYTES) {
            throw new EvidenceException(Kind.UNAVAILABLE, NAME + ": the TSI structs need a 64-bit (LP64) Linux;"
                    + " this C ABI has a " + Libc.cLongBytes() + "-byte long");
        }
        int fd = openDevice();
        byte[] token;
        List<byte[]> chain;
        try (Arena arena = Arena.ofConfined()) {
            token = attestationToken(fd, arena, copy);
            chain = deviceCertificate(fd, arena);
        } finally {
            Libc.closeQuietly(fd, device);
        }
        return new RawEvidence(NAME, token, ccel.read(), chain);
    }

    private int openDevice() throws EvidenceException {
        try {
            return Libc.open(device, Libc.O_RDWR);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                throw new EvidenceException(Kind.UNAVAILABLE, NAME + ": no " + device + ": this is not a virtCCA"
                        + " guest (or its tmm_driver module is not loaded); use --provider tsm or simulated", e);
            }
            throw KernelErrors.toEvidenceException(NAME, "opening " + device, e);
        }
    }

    private byte[] attestationToken(int fd, Arena arena, byte[] challenge) throws EvidenceException {
        MemorySegment cmd = arena.allocate(TsiAbi.ATTESTATION_CMD); // zero-filled
        MemorySegment.copy(challenge, 0, cmd, JAVA_BYTE, TsiAbi.CHALLENGE_OFFSET, challenge.length);
        try {
            Libc.ioctl(fd, device, "TMM_GET_ATTESTATION_TOKEN", Integer.toUnsignedLong(TsiAbi.TMM_GET_ATTESTATION_TOKEN),
                    cmd);
        } catch (ErrnoException e) {
            throw KernelErrors.toEvidenceException(NAME, "getting the attestation token", e);
        }
        long size = cmd.get(JAVA_LONG, TsiAbi.TOKEN_SIZE_OFFSET);
        if (size <= 0 || size > TsiAbi.TOKEN_CAPACITY_BYTES) {
            throw new EvidenceException(Kind.MALFORMED, NAME + ": the driver reported a token of "
                    + Long.toUnsignedString(size) + " bytes; expected 1 to " + TsiAbi.TOKEN_CAPACITY_BYTES
                    + " (the token buffer of struct virtcca_cvm_attestation_cmd)");
        }
        return cmd.asSlice(TsiAbi.TOKEN_OFFSET, size).toArray(JAVA_BYTE);
    }

    /** An older driver without the request answers ENOTTY: no certificate then, not a failure. */
    private List<byte[]> deviceCertificate(int fd, Arena arena) throws EvidenceException {
        MemorySegment cert = arena.allocate(TsiAbi.DEVICE_CERT);
        try {
            Libc.ioctl(fd, device, "TMM_GET_DEVICE_CERT", Integer.toUnsignedLong(TsiAbi.TMM_GET_DEVICE_CERT), cert);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOTTY) {
                LOG.log(Level.WARNING, "{0}: {1} does not answer TMM_GET_DEVICE_CERT; evidence carries no device"
                        + " certificate, the verifier needs it from elsewhere", NAME, device);
                return List.of();
            }
            throw KernelErrors.toEvidenceException(NAME, "getting the device certificate", e);
        }
        long size = cert.get(JAVA_LONG, TsiAbi.CERT_SIZE_OFFSET);
        if (size <= 0 || size > TsiAbi.MAX_DEVICE_CERT_BYTES) {
            throw new EvidenceException(Kind.MALFORMED, NAME + ": the driver reported a device certificate of "
                    + Long.toUnsignedString(size) + " bytes; expected 1 to " + TsiAbi.MAX_DEVICE_CERT_BYTES);
        }
        return List.of(cert.asSlice(TsiAbi.CERT_VALUE_OFFSET, size).toArray(JAVA_BYTE));
    }
}
