/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the byte-safety rules of ctl/text.h. For any input,
 *  - ctl_json_fput writes one JSON string that is valid UTF-8, with no raw
 *    control byte and no unescaped quote inside;
 *  - ctl_json_escape writes the same without the quotes;
 *  - ctl_text_escape writes valid UTF-8 with no byte below 0x20, no DEL and
 *    no C1 control (U+0080..U+009F), and reports the same length whatever
 *    the buffer size;
 *  - ctl_hex_encode gives exactly ctl_hex_len characters of [0-9a-f:].
 * The UTF-8 check below is written from RFC 3629's table of well-formed
 * sequences, independently of ctl_utf8_len, which it checks.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctl/text.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Length of the well-formed sequence at p (RFC 3629 section 4), 0 if none. */
static size_t
wellformed(const uint8_t *p, size_t n)
{
	static const struct {
		uint8_t lo0, hi0, lo1, hi1;
		size_t len;
	} t[] = {
		{ 0x00, 0x7f, 0, 0, 1 },       { 0xc2, 0xdf, 0x80, 0xbf, 2 },
		{ 0xe0, 0xe0, 0xa0, 0xbf, 3 }, { 0xe1, 0xec, 0x80, 0xbf, 3 },
		{ 0xed, 0xed, 0x80, 0x9f, 3 }, { 0xee, 0xef, 0x80, 0xbf, 3 },
		{ 0xf0, 0xf0, 0x90, 0xbf, 4 }, { 0xf1, 0xf3, 0x80, 0xbf, 4 },
		{ 0xf4, 0xf4, 0x80, 0x8f, 4 },
	};
	size_t i, k;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (p[0] < t[i].lo0 || p[0] > t[i].hi0)
			continue;
		if (t[i].len > n)
			return 0;
		if (t[i].len > 1 && (p[1] < t[i].lo1 || p[1] > t[i].hi1))
			return 0;
		for (k = 2; k < t[i].len; k++)
			if (p[k] < 0x80 || p[k] > 0xbf)
				return 0;
		return t[i].len;
	}
	return 0;
}

/* Valid UTF-8 throughout; with no_controls, also no C0, DEL or C1. */
static void
check_utf8(const uint8_t *p, size_t n, int no_controls)
{
	size_t i = 0, k;

	while (i < n) {
		if ((k = wellformed(p + i, n - i)) == 0)
			__builtin_trap();
		if (ctl_utf8_len(p + i, n - i) != k)
			__builtin_trap();
		if (p[i] < 0x20 || p[i] == 0x7f || (k == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0))
			if (no_controls)
				__builtin_trap();
		i += k;
	}
}

static void
check_json(const uint8_t *data, size_t size)
{
	char *buf = NULL, *esc;
	size_t len = 0, need, i;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return;
	ctl_json_fput(f, data, size);
	if (fclose(f) != 0)
		return;
	if (len < 2 || buf[0] != '"' || buf[len - 1] != '"')
		__builtin_trap();
	check_utf8((const uint8_t *)buf, len, 1);
	for (i = 1; i < len - 1; i++) {
		if (buf[i] == '"')
			__builtin_trap(); /* every quote inside is escaped */
		if (buf[i] == '\\')
			i++; /* the escaped character (or the u of \uXXXX) */
	}
	need = ctl_json_escape(NULL, 0, data, size);
	if (need != len - 2 || (esc = malloc(need + 1)) == NULL) {
		if (need != len - 2)
			__builtin_trap();
		free(buf);
		return;
	}
	if (ctl_json_escape(esc, need + 1, data, size) != need || memcmp(esc, buf + 1, need) != 0)
		__builtin_trap();
	free(esc);
	free(buf);
}

static void
check_text(const uint8_t *data, size_t size)
{
	char small[17];
	size_t need = ctl_text_escape(NULL, 0, data, size), got;
	char *out = malloc(need + 1);

	if (out == NULL)
		return;
	if (ctl_text_escape(out, need + 1, data, size) != need || strlen(out) != need)
		__builtin_trap();
	check_utf8((const uint8_t *)out, need, 1);
	/* A short buffer holds a prefix of the whole, cut at a unit boundary. */
	if (ctl_text_escape(small, sizeof(small), data, size) != need)
		__builtin_trap();
	got = strlen(small);
	if (got > need || memcmp(small, out, got) != 0)
		__builtin_trap();
	check_utf8((const uint8_t *)small, got, 1);
	free(out);
}

static void
check_hex(const uint8_t *data, size_t size)
{
	unsigned flags = size > 0 ? data[0] & (CTL_HEX_UPPER | CTL_HEX_COLONS) : 0;
	size_t n = ctl_hex_len(size, flags), i;
	char *out = malloc(n + 1);

	if (out == NULL)
		return;
	if (ctl_hex_encode(out, n + 1, data, size, flags) != out || strlen(out) != n)
		__builtin_trap();
	for (i = 0; i < n; i++)
		if (strchr((flags & CTL_HEX_UPPER) ? "0123456789ABCDEF:" : "0123456789abcdef:",
		           out[i]) == NULL)
			__builtin_trap();
	if (n > 0 && ctl_hex_encode(out, n, data, size, flags) != NULL)
		__builtin_trap();
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_json(data, size);
	check_text(data, size);
	check_hex(data, size);
	return 0;
}
