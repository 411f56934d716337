/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: whole CTL/ITL parse (ctl_file_parse), lenient and
 * strict. On success every lent pointer and length is read end to end, so
 * ASan catches an element or record that points outside the file copy.
 */
#include <stddef.h>
#include <stdint.h>

#include <ctl/ctl.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void
touch(const uint8_t *p, size_t n)
{
	uint8_t x = 0;
	size_t i;

	for (i = 0; i < n; i++)
		x ^= p[i];
	sink ^= x;
}

static void
touch_bytes(struct ctl_bytes b)
{
	if (b.len > 0 && b.p == NULL)
		__builtin_trap();
	touch(b.p, b.len);
}

static void
walk(const struct ctl_file *f, size_t size)
{
	const struct ctl_elem *el;
	size_t n, i, k, len;
	const uint8_t *all = ctl_file_bytes(f, &len);
	uint8_t maj, min;

	if (len != size || ctl_file_header_length(f) > len)
		__builtin_trap();
	touch(all, len);
	ctl_file_version(f, &maj, &min);
	(void)ctl_file_signer_version(f, &maj, &min);
	touch_bytes(ctl_file_signer_name(f));
	touch_bytes(ctl_file_signer_serial(f));
	touch_bytes(ctl_file_signer_caname(f));
	touch_bytes(ctl_file_filename(f));
	touch_bytes(ctl_file_signature(f));
	touch_bytes(ctl_file_payload(f));
	sink ^= ctl_file_digest(f) ^ ctl_file_sigalg(f) ^ ctl_file_modulus_code(f);
	sink ^= (uint8_t)ctl_file_timestamp(f) ^ (uint8_t)ctl_file_kind(f);
	el = ctl_file_header_elems(f, &n);
	for (i = 0; i < n; i++) {
		if (el[i].off >= len)
			__builtin_trap();
		touch(el[i].val, el[i].tag == CTL_H_PADDING ? 0 : el[i].len);
	}
	for (i = 0; i < ctl_file_nrecords(f); i++) {
		const struct ctl_record *r = ctl_file_record(f, i);

		if (r == NULL || r->off + r->length > len)
			__builtin_trap();
		touch_bytes(r->dns);
		touch_bytes(r->subject);
		touch_bytes(r->issuer);
		touch_bytes(r->serial);
		touch_bytes(r->pubkey);
		touch_bytes(r->sig);
		touch_bytes(r->cert);
		touch_bytes(r->certhash);
		touch_bytes(r->hashalg);
		for (k = 0; k < r->nelems; k++)
			touch(r->elems[k].val, r->elems[k].len);
		sink ^= (uint8_t)r->role;
		(void)ctl_role_short(r->role);
	}
	if (ctl_file_record(f, ctl_file_nrecords(f)) != NULL)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned flags[] = { 0, CTL_PARSE_STRICT };
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct ctl_file *f = NULL;
		struct ctl_diag d;
		enum ctl_err r = ctl_file_parse(data, size, flags[i], &f, &d);

		if (r == CTL_OK) {
			walk(f, size);
			ctl_file_free(f);
		} else if (f != NULL || d.err != r || (size > 0 && d.offset > size)) {
			__builtin_trap(); /* out-param set on failure, or a diag beyond the input */
		}
	}
	return 0;
}
