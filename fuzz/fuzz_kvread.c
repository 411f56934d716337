/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: a node.conf or tvsd.conf through libctl's one
 * "key = value" reader (ctl/kvread.h), fed from memory. Every pair it
 * returns lies inside the reader's line buffer, is trimmed, holds no
 * newline, and its key holds no '='; the line count never passes the
 * number of lines in the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <ctl/kvread.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
trimmed(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return 1;
	return s[0] != ' ' && s[0] != '\t' && s[n - 1] != ' ' && s[n - 1] != '\t';
}

static void
check_pair(const struct ctl_kv_reader *r, const char *key, const char *val)
{
	const char *lo = r->buf, *hi = r->buf + sizeof(r->buf);

	if (key < lo || key >= hi || val < lo || val >= hi)
		__builtin_trap();
	if (strchr(key, '=') != NULL || strchr(key, '\n') != NULL || strchr(val, '\n') != NULL)
		__builtin_trap();
	if (!trimmed(key) || !trimmed(val))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_kv_reader r;
	char *key, *val;
	size_t lines = 1, i;

	if (size == 0)
		return 0;
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	memset(&r, 0, sizeof(r));
	/* fmemopen never writes through a "r" stream; the cast drops const only. */
	if ((r.fp = fmemopen((void *)(uintptr_t)data, size, "r")) == NULL)
		return 0;
	while (ctl_kv_next(&r, &key, &val) == CTL_KV_PAIR)
		check_pair(&r, key, val);
	if (r.line > lines)
		__builtin_trap();
	ctl_kv_close(&r);
	return 0;
}
