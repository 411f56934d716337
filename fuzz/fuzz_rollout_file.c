/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the rollout state file reader (rollout_file.h) that
 * ctl-tftpd runs at start and show-ctl --phones on any file it is given.
 * A file that decodes must summarize, and encode back to the same bytes.
 * The trailing checksum is recomputed over the input first, so the fuzzer
 * reaches the fields behind it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "rollout_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rollout_records *r = NULL;
	struct rollout_summary *s = NULL;
	struct ctl_diag d;
	uint8_t *p, *enc = NULL;
	size_t n = 0;
	unsigned len;

	if ((p = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(p, data, size);
	if (size >= 16 && (data[0] & 1))
		(void)EVP_Digest(p, size - 16, p + size - 16, &len, EVP_md5(), NULL);
	if (rollout_file_decode(p, size, &r, &d) == CTL_OK) {
		const uint8_t *cur[ROLLOUT_KINDS] = { p + 9, p + 10, NULL };

		if (rollout_summarize(r, cur, &s) == CTL_OK)
			rollout_summary_free(s);
		if (rollout_file_encode(r, &enc, &n) == CTL_OK) {
			if (n != size || memcmp(enc, p, n) != 0)
				abort();
			free(enc);
		}
		rollout_records_free(r);
	}
	free(p);
	return 0;
}
