/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: signature verification (ctl_file_verify,
 * ctl_file_verify_trusted against the file itself, ctl_file_verify_with
 * for .sgn roles) on whatever parses. Mutations of the seeds reach the
 * signer lookup, the DER certificate and key decoding and the RSA check.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <ctl/ctl.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_result(enum ctl_err r, const struct ctl_verify_result *res, const struct ctl_file *f)
{
	if (res->err != r || memchr(res->reason, '\0', sizeof(res->reason)) == NULL)
		__builtin_trap();
	if (res->signer_index < -1 || (res->signer_index >= 0 &&
	    (size_t)res->signer_index >= ctl_file_nrecords(f)))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t tftp_roles[] = { CTL_ROLE_CCM_TFTP, CTL_ROLE_TFTP };
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	struct ctl_verify_result res;
	enum ctl_err r;

	if (ctl_file_parse(data, size, 0, &f, &d) != CTL_OK)
		return 0;
	r = ctl_file_verify(f, &res);
	check_result(r, &res, f);
	r = ctl_file_verify_trusted(f, f, &res);
	check_result(r, &res, f);
	r = ctl_file_verify_with(f, f, tftp_roles, 2, &res);
	check_result(r, &res, f);
	ctl_file_free(f);
	return 0;
}
