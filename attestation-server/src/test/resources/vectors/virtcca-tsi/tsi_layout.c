/* Prints the layout facts of tsi_abi.h as key=value lines; TsiAbiTest compiles and runs it with
 * gcc and compares every line with what TsiAbi computes in Java. */
#include <stddef.h>
#include <stdio.h>
#include "tsi_abi.h"

int main(void)
{
	printf("attestation_cmd.size=%zu\n", sizeof(struct virtcca_cvm_attestation_cmd));
	printf("attestation_cmd.challenge=%zu\n", offsetof(struct virtcca_cvm_attestation_cmd, challenge));
	printf("attestation_cmd.token=%zu\n", offsetof(struct virtcca_cvm_attestation_cmd, token));
	printf("attestation_cmd.token_size=%zu\n", offsetof(struct virtcca_cvm_attestation_cmd, token_size));
	printf("device_cert.size=%zu\n", sizeof(struct virtcca_device_cert));
	printf("device_cert.value=%zu\n", offsetof(struct virtcca_device_cert, value));
	printf("TMM_GET_ATTESTATION_TOKEN=%lu\n", (unsigned long)TMM_GET_ATTESTATION_TOKEN);
	printf("TMM_GET_DEVICE_CERT=%lu\n", (unsigned long)TMM_GET_DEVICE_CERT);
	return 0;
}
