/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: an HTTP response head as phone-verifier's HTTP-first
 * fetch reads it (phone-verifier/http_head.c). A head that parses lies
 * within the bytes and the limit, ends in its blank line, gives a status
 * from 100 to 999 and parses the same from exactly its own bytes; an
 * incomplete answer is only ever given below the limit.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http_head.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pv_http_head h, again;
	char why[256];
	enum ctl_err e = pv_http_head_parse(data, size, &h, why, sizeof(why));

	if (e == CTL_E_TRUNCATED && size >= PV_HTTP_HEAD_MAX)
		__builtin_trap();
	if (e != CTL_OK) {
		if (e != CTL_E_TRUNCATED && why[0] == '\0')
			__builtin_trap(); /* every refusal says why */
		return 0;
	}
	if (h.head_len < 2 || h.head_len > size || h.head_len > PV_HTTP_HEAD_MAX)
		__builtin_trap();
	if (data[h.head_len - 1] != '\n' || h.status < 100 || h.status > 999)
		__builtin_trap();
	if (h.has_length && h.length >= 10000000000000000000ull)
		__builtin_trap();
	if (pv_http_head_parse(data, h.head_len, &again, why, sizeof(why)) != CTL_OK ||
	    memcmp(&h, &again, sizeof(h)) != 0)
		__builtin_trap();
	/* One byte short of its blank line, the same head is never complete. */
	if (pv_http_head_parse(data, h.head_len - 1, &again, why, sizeof(why)) == CTL_OK)
		__builtin_trap();
	return 0;
}
