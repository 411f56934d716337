/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the CTL Provider message parser (ctl_prov_parse_header
 * and ctl_prov_parse_body, libctl/prov.c). The input is a whole message:
 * header, then body. The body is also parsed on its own (as the body of a
 * header announcing exactly its length), so item parsing is reached even
 * when the fuzzer has not found a valid header. On success every lent item
 * is read end to end, the items must tile the body exactly, and
 * re-encoding them must give the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ctl/prov.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void
check_items(const uint8_t *body, size_t len, const struct ctl_prov_msg *m)
{
	struct ctl_wr wr;
	size_t i, total = 0;

	if (m->nitems > CTL_PROV_MAX_ITEMS)
		__builtin_trap();
	ctl_wr_init(&wr, CTL_PROV_MAX_BODY + 64);
	for (i = 0; i < m->nitems; i++) {
		const struct ctl_prov_item *it = &m->items[i];
		uint8_t x = 0;
		uint32_t k;

		if (it->len > 0 && (it->val < body || it->val + it->len > body + len))
			__builtin_trap();
		for (k = 0; k < it->len; k++)
			x ^= it->val[k];
		sink ^= x;
		total += 6u + it->len;
		if (ctl_prov_put(&wr, it->tag, it->val, it->len) != CTL_OK)
			__builtin_trap();
	}
	if (total != len || wr.len != len || (len > 0 && memcmp(wr.buf, body, len) != 0))
		__builtin_trap();
	ctl_wr_cleanup(&wr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_prov_msg *m = malloc(sizeof(*m));
	struct ctl_diag d;

	if (m == NULL)
		return 0;
	if (ctl_prov_parse_header(data, size, m, &d) == CTL_OK) {
		if (m->body_len > CTL_PROV_MAX_BODY)
			__builtin_trap();
		if (ctl_prov_parse_body(data + CTL_PROV_HDR_LEN, size - CTL_PROV_HDR_LEN, m, &d) == CTL_OK)
			check_items(data + CTL_PROV_HDR_LEN, size - CTL_PROV_HDR_LEN, m);
	}
	if (size <= CTL_PROV_MAX_BODY) {
		memset(m, 0, sizeof(*m));
		m->body_len = (uint32_t)size;
		if (ctl_prov_parse_body(data, size, m, &d) == CTL_OK)
			check_items(data, size, m);
	}
	free(m);
	return 0;
}
