/* The virtCCA /dev/tsi structs and ioctl numbers, restated from openEuler's uapi header
 * arch/arm64/include/uapi/asm/virtcca_cvm_tsi.h (see SOURCE.md). Only what cvm-fde uses. */
#ifndef CVMFDE_TSI_ABI_H
#define CVMFDE_TSI_ABI_H
#include <linux/ioctl.h>

#define TSI_MAGIC 'T'
#define CHALLENGE_SIZE (64U)
#define GRANULE_SIZE (4096U)
#define MAX_TOKEN_GRANULE_COUNT (2U)
#define MAX_DEV_CERT_SIZE (4096U)

struct virtcca_cvm_attestation_cmd {
	unsigned char challenge[CHALLENGE_SIZE];
	unsigned char token[GRANULE_SIZE * MAX_TOKEN_GRANULE_COUNT];
	unsigned long token_size;
};

struct virtcca_device_cert {
	unsigned long size;
	unsigned char value[MAX_DEV_CERT_SIZE];
};

#define TMM_GET_ATTESTATION_TOKEN _IOWR(TSI_MAGIC, 1, struct virtcca_cvm_attestation_cmd)
#define TMM_GET_DEVICE_CERT _IOR(TSI_MAGIC, 2, struct virtcca_device_cert)

#endif
