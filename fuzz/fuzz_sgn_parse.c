/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: signed-file (.sgn) parse, ctl_file_parse with
 * CTL_PARSE_SGN: the header, then everything after HEADER_LENGTH as payload.
 */
#include <stddef.h>
#include <stdint.h>

#include <ctl/ctl.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void
touch(struct ctl_bytes b)
{
	size_t i;

	if (b.len > 0 && b.p == NULL)
		__builtin_trap();
	for (i = 0; i < b.len; i++)
		sink ^= b.p[i];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	enum ctl_err r = ctl_file_parse(data, size, CTL_PARSE_SGN, &f, &d);
	struct ctl_bytes pl;
	size_t len;

	if (r != CTL_OK) {
		if (f != NULL || d.err != r || (size > 0 && d.offset > size))
			__builtin_trap();
		return 0;
	}
	pl = ctl_file_payload(f);
	(void)ctl_file_bytes(f, &len);
	/* the payload is exactly what follows the header */
	if (ctl_file_kind(f) != CTL_KIND_SGN || ctl_file_nrecords(f) != 0 ||
	    pl.len != size - ctl_file_header_length(f) || len != size)
		__builtin_trap();
	touch(pl);
	touch(ctl_file_filename(f));
	touch(ctl_file_signature(f));
	touch(ctl_file_signer_name(f));
	touch(ctl_file_signer_serial(f));
	touch(ctl_file_signer_caname(f));
	ctl_file_free(f);
	return 0;
}
