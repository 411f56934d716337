/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An HTTP/1.x response head (http_head.h), read through libctl's bounded
 * reader: each line is a child reader, each byte a ctl_rd_u8. Strict where
 * strictness keeps a phone from taking wrong bytes (Content-Length digits
 * only, two different lengths refused, no folded lines, no control bytes),
 * lenient where RFC 9112 lets a recipient be (a bare LF ends a line).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <ctl/buf.h>

#include "http_head.h"

/* Digits of a Content-Length taken: 19 keep the value below 2^63. */
#define LENGTH_DIGITS_MAX 19

/* What the Connection field said (its tokens, RFC 9110 7.6.1); the head's end decides. */
#define CONN_CLOSE 1u
#define CONN_KEEP 2u

/* The parse's scratch beside the head: the version and the Connection tokens. */
struct head_scan {
	unsigned minor;      /* HTTP/1.x */
	unsigned conn;       /* CONN_* seen */
};

static enum ctl_err
bad(char *why, size_t cap, size_t off, const char *what)
{
	snprintf(why, cap, "HTTP response head, byte %zu: %s", off, what);
	return CTL_E_INVAL;
}

/*
 * The next line as a child reader, without its LF (nor the CR before it);
 * *at receives its offset. CTL_E_TRUNCATED when no LF is left.
 */
static enum ctl_err
next_line(struct ctl_rd *rd, struct ctl_rd *line, size_t *at)
{
	const uint8_t *rest, *nl;
	size_t left = ctl_rd_left(rd), n;
	uint8_t last = 0;
	struct ctl_rd whole;

	if (ctl_rd_peek(rd, &rest, left) != CTL_OK || left == 0 ||
	    (nl = memchr(rest, '\n', left)) == NULL)
		return CTL_E_TRUNCATED;
	n = (size_t)(nl - rest);
	*at = ctl_rd_off(rd);
	if (n > 0) {
		struct ctl_rd probe;

		/* Is the byte before the LF a CR? Peek at it through a sub-reader. */
		ctl_rd_init_at(&probe, rest, n, *at);
		if (ctl_rd_skip(&probe, n - 1) != CTL_OK || ctl_rd_u8(&probe, &last) != CTL_OK)
			return CTL_E_TRUNCATED;
	}
	if (ctl_rd_sub(rd, &whole, n + 1) != CTL_OK)
		return CTL_E_TRUNCATED;
	return ctl_rd_sub(&whole, line, last == '\r' ? n - 1 : n);
}

/* Bytes a field value or reason phrase may hold: visible, space, tab, obs-text. */
static int
text_byte(uint8_t c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* RFC 9110 tchar: the bytes of a field name. */
static int
tchar(uint8_t c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static enum ctl_err
status_line(struct ctl_rd *line, size_t at, struct pv_http_head *h, struct head_scan *sc,
            char *why, size_t cap)
{
	static const char proto[] = "HTTP/1.";
	uint8_t c;
	size_t i;

	for (i = 0; i < sizeof(proto) - 1; i++)
		if (ctl_rd_u8(line, &c) != CTL_OK || c != (uint8_t)proto[i])
			return bad(why, cap, at, "the status line does not start with HTTP/1.");
	if (ctl_rd_u8(line, &c) != CTL_OK || (c != '0' && c != '1'))
		return bad(why, cap, at + 7, "HTTP version is not 1.0 or 1.1");
	sc->minor = (unsigned)(c - '0');
	if (ctl_rd_u8(line, &c) != CTL_OK || c != ' ')
		return bad(why, cap, at + 8, "no space after the HTTP version");
	h->status = 0;
	for (i = 0; i < 3; i++) {
		if (ctl_rd_u8(line, &c) != CTL_OK || c < '0' || c > '9')
			return bad(why, cap, at + 9 + i, "the status code is not three digits");
		h->status = h->status * 10u + (unsigned)(c - '0');
	}
	if (h->status < 100)
		return bad(why, cap, at + 9, "status code below 100");
	if (ctl_rd_left(line) == 0)
		return CTL_OK;
	if (ctl_rd_u8(line, &c) != CTL_OK || c != ' ')
		return bad(why, cap, at + 12, "no space after the status code");
	while (ctl_rd_u8(line, &c) == CTL_OK)
		if (!text_byte(c))
			return bad(why, cap, ctl_rd_off(line) - 1, "control byte in the reason phrase");
	return CTL_OK;
}

/* Does the field name in name[0..n) equal want, ignoring case? */
static int
name_is(const char *name, size_t n, const char *want)
{
	return n == strlen(want) && strncasecmp(name, want, n) == 0;
}

/* Skips spaces and tabs. */
static void
skip_ows(struct ctl_rd *rd)
{
	uint8_t c;

	while (ctl_rd_peek_u8(rd, &c) == CTL_OK && (c == ' ' || c == '\t'))
		CTL_IGNORE_RESULT(ctl_rd_skip(rd, 1)); /* the byte was just peeked at */
}

/* A Content-Length value: digits, then only spaces or tabs. */
static enum ctl_err
content_length(struct ctl_rd *val, struct pv_http_head *h, char *why, size_t cap)
{
	size_t at = ctl_rd_off(val), digits = 0;
	uint64_t v = 0;
	uint8_t c;

	while (ctl_rd_peek_u8(val, &c) == CTL_OK && c >= '0' && c <= '9') {
		CTL_IGNORE_RESULT(ctl_rd_skip(val, 1)); /* the byte was just peeked at */
		if (++digits > LENGTH_DIGITS_MAX)
			return bad(why, cap, at, "Content-Length has too many digits");
		v = v * 10u + (uint64_t)(c - '0');
	}
	skip_ows(val);
	if (digits == 0 || ctl_rd_left(val) != 0)
		return bad(why, cap, at, "Content-Length is not a number");
	if (h->has_length && h->length != v)
		return bad(why, cap, at, "two different Content-Length values");
	h->has_length = 1;
	h->length = v;
	return CTL_OK;
}

/*
 * The tokens of a Connection value, comma-separated, case-insensitive:
 * "close" and "keep-alive" are noted, any other (a header name) is not
 * the phone's business. A token longer than either is none of them.
 */
static void
connection_tokens(struct ctl_rd *val, struct head_scan *sc)
{
	char tok[16];
	size_t n = 0;
	uint8_t c;
	int end;

	do {
		end = ctl_rd_u8(val, &c) != CTL_OK;
		if (!end && c != ',') {
			if (c != ' ' && c != '\t' && n < sizeof(tok))
				tok[n] = (char)c;
			if (c != ' ' && c != '\t')
				n++;
			continue;
		}
		if (n == 5 && strncasecmp(tok, "close", 5) == 0)
			sc->conn |= CONN_CLOSE;
		else if (n == 10 && strncasecmp(tok, "keep-alive", 10) == 0)
			sc->conn |= CONN_KEEP;
		n = 0;
	} while (!end);
}

static enum ctl_err
field_line(struct ctl_rd *line, size_t at, struct pv_http_head *h, struct head_scan *sc,
           char *why, size_t cap)
{
	char name[32];
	size_t nlen = 0;
	struct ctl_rd val, scan;
	uint8_t c;

	if (ctl_rd_peek_u8(line, &c) == CTL_OK && (c == ' ' || c == '\t'))
		return bad(why, cap, at, "folded header line");
	for (;;) {
		if (ctl_rd_u8(line, &c) != CTL_OK)
			return bad(why, cap, at, "header line without ':'");
		if (c == ':')
			break;
		if (!tchar(c))
			return bad(why, cap, ctl_rd_off(line) - 1, "bad byte in a header name");
		if (nlen < sizeof(name))
			name[nlen] = (char)c;
		nlen++;
	}
	if (nlen == 0)
		return bad(why, cap, at, "empty header name");
	if (ctl_rd_sub(line, &val, ctl_rd_left(line)) != CTL_OK)
		return bad(why, cap, at, "header value");
	scan = val;
	while (ctl_rd_u8(&scan, &c) == CTL_OK)
		if (!text_byte(c))
			return bad(why, cap, ctl_rd_off(&scan) - 1, "control byte in a header value");
	if (nlen > sizeof(name))
		return CTL_OK; /* longer than any field the phone reads */
	if (name_is(name, nlen, "transfer-encoding")) {
		h->has_encoding = 1;
		return CTL_OK;
	}
	if (name_is(name, nlen, "connection")) {
		connection_tokens(&val, sc);
		return CTL_OK;
	}
	if (!name_is(name, nlen, "content-length"))
		return CTL_OK;
	skip_ows(&val);
	return content_length(&val, h, why, cap);
}

enum ctl_err
pv_http_head_parse(const uint8_t *p, size_t n, struct pv_http_head *h, char *why, size_t cap)
{
	struct head_scan sc = { 0, 0 };
	struct ctl_rd rd, line;
	size_t at = 0;
	enum ctl_err r;

	memset(h, 0, sizeof(*h));
	if (cap > 0)
		why[0] = '\0';
	ctl_rd_init(&rd, p, n < PV_HTTP_HEAD_MAX ? n : PV_HTTP_HEAD_MAX);
	if ((r = next_line(&rd, &line, &at)) != CTL_OK)
		goto short_head;
	if ((r = status_line(&line, at, h, &sc, why, cap)) != CTL_OK)
		return r;
	for (;;) {
		if ((r = next_line(&rd, &line, &at)) != CTL_OK)
			goto short_head;
		if (ctl_rd_left(&line) == 0)
			break;
		if ((r = field_line(&line, at, h, &sc, why, cap)) != CTL_OK)
			return r;
	}
	h->head_len = ctl_rd_off(&rd);
	h->keep_alive = !(sc.conn & CONN_CLOSE) && (sc.minor == 1 || (sc.conn & CONN_KEEP));
	return CTL_OK;
short_head:
	if (n < PV_HTTP_HEAD_MAX)
		return CTL_E_TRUNCATED;
	snprintf(why, cap, "HTTP response head longer than %d bytes", PV_HTTP_HEAD_MAX);
	return CTL_E_TOO_LARGE;
}
