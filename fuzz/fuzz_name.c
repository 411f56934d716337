/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: an issuer name as a phone sends it in a TVS QUERY,
 * through ctl-tvsd's canonical form (tvsd_name_normalise). The canonical
 * form has no control byte but its '\n' separators, every attribute has a
 * TYPE=, and it is a fixed point: normalising it again (with ';' between
 * attributes) gives the same string.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tvsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL, *again = NULL, *semi;
	size_t i, n;

	if (tvsd_name_normalise((const char *)data, size, &out) != CTL_OK)
		return 0;
	n = strlen(out);
	for (i = 0; i < n; i++)
		if (((unsigned char)out[i] < 0x20 && out[i] != '\n') || out[i] == 0x7f)
			__builtin_trap();
	if (strchr(out, '=') == NULL)
		__builtin_trap();
	if ((semi = strdup(out)) == NULL) {
		free(out);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (semi[i] == '\n')
			semi[i] = ';';
	/* A value holding ';' or ',' changes the split; compare only when it has neither. */
	if (strpbrk(out, ";,") == NULL && tvsd_name_normalise(semi, n, &again) == CTL_OK &&
	    strcmp(again, out) != 0)
		__builtin_trap();
	free(again);
	free(semi);
	free(out);
	return 0;
}
