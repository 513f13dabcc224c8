package dev.cvmfde.server.provider.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The virtCCA TSI user ABI of {@code /dev/tsi}, as defined by openEuler's kernel uapi header
 * {@code arch/arm64/include/uapi/asm/virtcca_cvm_tsi.h} (openeuler-mirror/kernel, commit
 * eccf28eefc9db7799534bd84bb958f3ecf978e2d; the driver is drivers/virt/coco/virtcca_cvm/tmm_driver)
 * and, identically, virtCCA_sdk {@code attestation/sdk/src/tsi.h} (commit
 * 91a087383126beb280b4b10df79483fbbc250d2d):
 * <pre>
 * #define TSI_MAGIC 'T'
 * struct virtcca_cvm_attestation_cmd {           // 8264 bytes on LP64
 *     unsigned char challenge[64];              // in
 *     unsigned char token[4096 * 2];            // out: GRANULE_SIZE * MAX_TOKEN_GRANULE_COUNT
 *     unsigned long token_size;                 // out
 * };
 * struct virtcca_device_cert { unsigned long size; unsigned char value[4096]; };   // 4104 bytes
 * TMM_GET_ATTESTATION_TOKEN = _IOWR(TSI_MAGIC, 1, struct virtcca_cvm_attestation_cmd)
 * TMM_GET_DEVICE_CERT       = _IOR(TSI_MAGIC, 2, struct virtcca_device_cert)
 * </pre>
 * An older openEuler header ({@code cvm_tsi.h}) had a granule-pointer struct under the same ioctl
 * number but a different size, so its encoded command differs and such a driver answers ENOTTY.
 * The ioctl numbers are computed here with the asm-generic {@code _IOC} encoding (arm64 uses it) and
 * checked in tests against gcc compiling the same definitions.
 */
public final class TsiAbi {
    public static final int CHALLENGE_BYTES = 64;
    public static final int GRANULE_BYTES = 4096;
    public static final int MAX_TOKEN_GRANULES = 2;
    public static final int TOKEN_CAPACITY_BYTES = GRANULE_BYTES * MAX_TOKEN_GRANULES;
    public static final int MAX_DEVICE_CERT_BYTES = 4096;
    public static final char TSI_MAGIC = 'T';

    public static final StructLayout ATTESTATION_CMD = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(CHALLENGE_BYTES, JAVA_BYTE).withName("challenge"),
            MemoryLayout.sequenceLayout(TOKEN_CAPACITY_BYTES, JAVA_BYTE).withName("token"),
            JAVA_LONG.withName("token_size"))
            .withName("virtcca_cvm_attestation_cmd");

    public static final StructLayout DEVICE_CERT = MemoryLayout.structLayout(
            JAVA_LONG.withName("size"),
            MemoryLayout.sequenceLayout(MAX_DEVICE_CERT_BYTES, JAVA_BYTE).withName("value"))
            .withName("virtcca_device_cert");

    public static final long CHALLENGE_OFFSET = offset(ATTESTATION_CMD, "challenge");
    public static final long TOKEN_OFFSET = offset(ATTESTATION_CMD, "token");
    public static final long TOKEN_SIZE_OFFSET = offset(ATTESTATION_CMD, "token_size");
    public static final long CERT_SIZE_OFFSET = offset(DEVICE_CERT, "size");
    public static final long CERT_VALUE_OFFSET = offset(DEVICE_CERT, "value");

    // asm-generic/ioctl.h: nr 8 bits at 0, type 8 bits at 8, size 14 bits at 16, dir 2 bits at 30.
    static final int IOC_NONE = 0;
    static final int IOC_WRITE = 1;
    static final int IOC_READ = 2;
    private static final int IOC_SIZEBITS = 14;

    public static final int TMM_GET_ATTESTATION_TOKEN =
            ioc(IOC_READ | IOC_WRITE, TSI_MAGIC, 1, ATTESTATION_CMD.byteSize());
    public static final int TMM_GET_DEVICE_CERT = ioc(IOC_READ, TSI_MAGIC, 2, DEVICE_CERT.byteSize());

    private TsiAbi() {
    }

    /** The kernel's {@code _IOC(dir, type, nr, size)}. */
    static int ioc(int dir, char type, int nr, long size) {
        if (size < 0 || size >= (1L << IOC_SIZEBITS)) {
            throw new IllegalArgumentException("ioctl argument size " + size + " does not fit in "
                    + IOC_SIZEBITS + " bits");
        }
        if (nr < 0 || nr > 0xff || type > 0xff) {
            throw new IllegalArgumentException("ioctl type/nr out of range");
        }
        return (dir << 30) | ((int) size << 16) | (type << 8) | nr;
    }

    private static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
