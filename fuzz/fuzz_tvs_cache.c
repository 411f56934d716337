/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: a phone's tvs-cache file (phone-verifier/tvs_cache.c)
 * as read from its state directory. Whatever it accepts formats back to a
 * text that parses to as many entries (the flash copy survives a reload).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tvs_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pv_tvs_cache *c = NULL, *again = NULL;
	struct ctl_diag d;
	uint8_t *text = NULL;
	size_t n = 0;

	if (pv_tvs_cache_new(&c) != CTL_OK)
		return 0;
	/* A damaged file keeps the entries before the damage: they must format too. */
	if (pv_tvs_cache_parse(c, data, size, "fuzz", 0, &d) != CTL_OK && pv_tvs_cache_count(c) == 0) {
		pv_tvs_cache_free(c);
		return 0;
	}
	if (pv_tvs_cache_format(c, 0, &text, &n) == CTL_OK && pv_tvs_cache_new(&again) == CTL_OK) {
		if (pv_tvs_cache_parse(again, text, n, "again", 0, &d) != CTL_OK ||
		    pv_tvs_cache_count(again) != pv_tvs_cache_count(c))
			__builtin_trap();
	}
	pv_tvs_cache_free(again);
	pv_tvs_cache_free(c);
	free(text);
	return 0;
}
