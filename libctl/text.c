/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hex, log/terminal escaping and JSON strings: the rules are in
 * include/ctl/text.h. One implementation, so every tool shows hostile bytes
 * the same way.
 */
#include <stdint.h>
#include <string.h>

#include "ctl/text.h"

size_t
ctl_utf8_len(const void *vp, size_t n)
{
	const uint8_t *p = vp;
	size_t want, i;
	uint32_t cp;

	if (n == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		want = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		want = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		want = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (want > n)
		return 0;
	for (i = 1; i < want; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((want == 2 && cp < 0x80) || (want == 3 && cp < 0x800) || (want == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return want;
}

/* U+0080..U+009F encoded in UTF-8: C2 80..C2 9F. */
static int
is_utf8_c1(const uint8_t *p, size_t k)
{
	return k == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

size_t
ctl_hex_len(size_t n, unsigned flags)
{
	if (n == 0)
		return 0;
	return (flags & CTL_HEX_COLONS) ? 3 * n - 1 : 2 * n;
}

char *
ctl_hex_encode(char *out, size_t outsz, const void *vp, size_t n, unsigned flags)
{
	const char *digits = (flags & CTL_HEX_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
	const uint8_t *p = vp;
	size_t i, o = 0;

	if (outsz == 0 || n > (SIZE_MAX - 1) / 3 || outsz < ctl_hex_len(n, flags) + 1) {
		if (outsz > 0)
			out[0] = '\0';
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (i > 0 && (flags & CTL_HEX_COLONS))
			out[o++] = ':';
		out[o++] = digits[p[i] >> 4];
		out[o++] = digits[p[i] & 0x0f];
	}
	out[o] = '\0';
	return out;
}

/*
 * One escaped unit of text at p (n > 0 left): its bytes in unit[], its
 * length returned; *used is how many input bytes it stands for.
 */
static size_t
text_unit(const uint8_t *p, size_t n, char unit[16], size_t *used)
{
	size_t k = ctl_utf8_len(p, n);

	if (k == 1 && p[0] >= 0x20 && p[0] != 0x7f && p[0] != '\\') {
		unit[0] = (char)p[0];
		*used = 1;
		return 1;
	}
	if (k == 1 && p[0] == '\\') {
		memcpy(unit, "\\\\", 2);
		*used = 1;
		return 2;
	}
	if (k > 1 && !is_utf8_c1(p, k)) {
		memcpy(unit, p, k);
		*used = k;
		return k;
	}
	/* Control, C1 or invalid: each byte as \xHH. */
	k = k > 1 ? k : 1;
	for (size_t i = 0; i < k; i++) {
		static const char hex[] = "0123456789abcdef";

		unit[4 * i] = '\\';
		unit[4 * i + 1] = 'x';
		unit[4 * i + 2] = hex[p[i] >> 4];
		unit[4 * i + 3] = hex[p[i] & 0x0f];
	}
	*used = k;
	return 4 * k;
}

/* One escaped unit of input: text_unit or json_unit. */
typedef size_t (*unit_fn)(const uint8_t *p, size_t n, char unit[16], size_t *used);

/*
 * Escapes p[0..n) unit by unit into out (outsz bytes, NUL-terminated, cut
 * at a unit boundary); returns the length the whole output needs.
 */
static size_t
escape_into(unit_fn fn, char *out, size_t outsz, const uint8_t *p, size_t n)
{
	size_t need = 0, o = 0, i = 0, used, len;
	int full = 0;
	char unit[16];

	while (i < n) {
		len = fn(p + i, n - i, unit, &used);
		if (!full && outsz > 0 && o + len < outsz) {
			memcpy(out + o, unit, len);
			o += len;
		} else {
			full = 1;
		}
		need += len;
		i += used;
	}
	if (outsz > 0)
		out[o] = '\0';
	return need;
}

/* The same, written to f. */
static void
escape_to(unit_fn fn, FILE *f, const uint8_t *p, size_t n)
{
	size_t i = 0, used, len;
	char unit[16];

	while (i < n) {
		len = fn(p + i, n - i, unit, &used);
		fwrite(unit, 1, len, f);
		i += used;
	}
}

size_t
ctl_text_escape(char *out, size_t outsz, const void *p, size_t n)
{
	return escape_into(text_unit, out, outsz, p, n);
}

void
ctl_text_fput(FILE *f, const void *p, size_t n)
{
	escape_to(text_unit, f, p, n);
}

void
ctl_text_fputs(FILE *f, const char *s)
{
	ctl_text_fput(f, s, strlen(s));
}

/*
 * One JSON string unit at p (n > 0 left), as text_unit: '"', '\\' and
 * controls escaped, C1 (UTF-8 encoded) as \u0080..\u009f, a byte that is
 * not valid UTF-8 as \ufffd.
 */
static size_t
json_unit(const uint8_t *p, size_t n, char unit[16], size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = ctl_utf8_len(p, n);
	uint8_t c = p[0];

	*used = k > 0 ? k : 1;
	if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t') {
		unit[0] = '\\';
		unit[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : (char)c;
		return 2;
	}
	if (k == 0) {
		memcpy(unit, "\\ufffd", 6);
		return 6;
	}
	if ((k > 1 && !is_utf8_c1(p, k)) || (k == 1 && c >= 0x20 && c != 0x7f)) {
		memcpy(unit, p, k);
		return k;
	}
	if (k > 1)
		c = p[1]; /* C2 80..C2 9F is U+0080..U+009F */
	memcpy(unit, "\\u00", 4);
	unit[4] = hex[c >> 4];
	unit[5] = hex[c & 0x0f];
	return 6;
}

size_t
ctl_json_escape(char *out, size_t outsz, const void *p, size_t n)
{
	return escape_into(json_unit, out, outsz, p, n);
}

void
ctl_json_fput(FILE *f, const void *p, size_t n)
{
	fputc('"', f);
	escape_to(json_unit, f, p, n);
	fputc('"', f);
}

void
ctl_json_fputs(FILE *f, const char *s)
{
	ctl_json_fput(f, s, strlen(s));
}

void
ctl_json_fputs_or_null(FILE *f, const char *s)
{
	if (s == NULL)
		fputs("null", f);
	else
		ctl_json_fputs(f, s);
}

void
ctl_json_error(FILE *f, const char *code, const char *message)
{
	fputs("{\"error\":{\"code\":", f);
	ctl_json_fputs(f, code);
	fputs(",\"message\":", f);
	ctl_json_fputs(f, message);
	fputs("}}\n", f);
}
