/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: a name string as files and TVS queries carry it (CUCM's
 * ';' form, RFC 4514's ',' form, an eToken's quoted form) through libctl's
 * canonical form (ctl_name_canon), and ctl_name_bytes_equal of the input
 * with itself and with its two halves. The canonical form has no control
 * byte but its '\n' separators, every attribute has a TYPE=, and it is a
 * fixed point: reading it again with ';' between attributes gives the same
 * string when no value holds a character the forms treat specially.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ctl/ctl.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL, *again = NULL, *semi;
	size_t i, n;

	if (!ctl_name_bytes_equal(data, size, data, size))
		__builtin_trap();
	(void)ctl_name_bytes_equal(data, size / 2, data + size / 2, size - size / 2);
	if (ctl_name_canon((const char *)data, size, &out) != CTL_OK)
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
	/* ';' ',' '+' '"' and '\' in a value change how it reads; compare only without them. */
	if (strpbrk(out, ";,+\"\\") == NULL && ctl_name_canon(semi, n, &again) == CTL_OK &&
	    strcmp(again, out) != 0)
		__builtin_trap();
	free(again);
	free(semi);
	free(out);
	return 0;
}
