/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP/1.x request heads (see http_parse.h). Offsets only grow and every
 * read is checked against the buffer's length first; the grammar is RFC
 * 9112's: request-line = method SP request-target SP HTTP-version CRLF,
 * field-line = field-name ":" OWS field-value OWS, with a bare LF accepted
 * as a line end (RFC 9112 2.2) and a bare CR, obsolete line folding or
 * whitespace before the colon refused.
 */
#include <string.h>
#include <strings.h>

#include <ctl/ctl.h>

#include "http_parse.h"

/* Request line: method + SP + target + SP + "HTTP/1.1" + CRLF. */
#define METHOD_MAX 32
#define LINE_MAX_LEN (METHOD_MAX + 1 + HTTP_TARGET_MAX + 1 + 8 + 2)

const char *
http_perr_str(enum http_perr e)
{
	switch (e) {
	case HTTP_P_OK: return "ok";
	case HTTP_P_INCOMPLETE: return "incomplete request head";
	case HTTP_P_BAD: return "malformed request";
	case HTTP_P_METHOD: return "method not allowed";
	case HTTP_P_URI_TOO_LONG: return "request target too long";
	case HTTP_P_HEAD_TOO_LARGE: return "request header fields too large";
	case HTTP_P_VERSION: return "HTTP version not supported";
	case HTTP_P_BODY: return "request with a body";
	}
	return "unknown parse error";
}

unsigned
http_perr_status(enum http_perr e)
{
	switch (e) {
	case HTTP_P_OK: return 0;
	case HTTP_P_INCOMPLETE: return 0;
	case HTTP_P_BAD: return 400;
	case HTTP_P_METHOD: return 405;
	case HTTP_P_URI_TOO_LONG: return 414;
	case HTTP_P_HEAD_TOO_LARGE: return 431;
	case HTTP_P_VERSION: return 505;
	case HTTP_P_BODY: return 400;
	}
	return 400;
}

/* RFC 9110 5.6.2 tchar. */
static int
is_tchar(uint8_t c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* "HTTP/d.d": one decimal digit each side. */
static int
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/*
 * The end of the line starting at off: *next is the offset after its LF,
 * *len its length without CRLF/LF. 0 found, 1 not yet, -1 a bare CR.
 */
static int
line_end(const uint8_t *b, size_t n, size_t off, size_t *len, size_t *next)
{
	const uint8_t *lf = memchr(b + off, '\n', n - off);
	size_t e;

	if (lf == NULL)
		return 1;
	e = (size_t)(lf - b);
	*next = e + 1;
	if (e > off && b[e - 1] == '\r')
		e--;
	if (memchr(b + off, '\r', e - off) != NULL)
		return -1;
	*len = e - off;
	return 0;
}

/* One token of at most max bytes at l (len bytes) ending at a SP; its length or 0. */
static size_t
token(const uint8_t *l, size_t len, size_t max)
{
	size_t i = 0;

	while (i < len && i <= max && is_tchar(l[i]))
		i++;
	return i > 0 && i <= max && i < len && l[i] == ' ' ? i : 0;
}

/* Request line l (len bytes, no CRLF): method, target span and version. */
CTL_MUST_USE static enum http_perr
request_line(const uint8_t *l, size_t len, struct http_req *req, size_t *t_off, size_t *t_len)
{
	size_t m = token(l, len, METHOD_MAX), t, v;

	if (m == 0)
		return HTTP_P_BAD;
	if (m == 3 && memcmp(l, "GET", 3) == 0)
		req->method = HTTP_M_GET;
	else if (m == 4 && memcmp(l, "HEAD", 4) == 0)
		req->method = HTTP_M_HEAD;
	else
		req->method = HTTP_M_OTHER;
	t = m + 1;
	for (v = t; v < len && l[v] > 0x20 && l[v] < 0x7f; v++)
		;
	if (v == t || v == len || l[v] != ' ')
		return v - t > HTTP_TARGET_MAX ? HTTP_P_URI_TOO_LONG : HTTP_P_BAD;
	if (v - t > HTTP_TARGET_MAX)
		return HTTP_P_URI_TOO_LONG;
	*t_off = t;
	*t_len = v - t;
	v++;
	if (len - v != 8 || memcmp(l + v, "HTTP/", 5) != 0 || l[v + 6] != '.' ||
	    !is_digit(l[v + 5]) || !is_digit(l[v + 7]))
		return HTTP_P_BAD;
	if (l[v + 5] != '1')
		return HTTP_P_VERSION;
	req->minor = l[v + 7] == '0' ? 0 : 1;
	req->keep_alive = req->minor >= 1;
	return HTTP_P_OK;
}

/* The origin-form target: '/' path, query dropped, %XX decoded (no NUL). */
CTL_MUST_USE static enum http_perr
decode_target(const uint8_t *t, size_t n, struct http_req *req)
{
	size_t o = 0;

	if (n == 0 || t[0] != '/')
		return HTTP_P_BAD; /* absolute-form and "*" are for proxies and OPTIONS */
	for (size_t i = 0; i < n && t[i] != '?' && t[i] != '#'; i++) {
		uint8_t c = t[i];

		if (c == '%') {
			int hi = i + 2 < n ? ctl_hex_digit(t[i + 1]) : -1, lo = i + 2 < n ? ctl_hex_digit(t[i + 2]) : -1;

			if (hi < 0 || lo < 0 || (hi | lo) == 0)
				return HTTP_P_BAD;
			c = (uint8_t)(hi << 4 | lo);
			i += 2;
		}
		if (o >= sizeof(req->path) - 1)
			return HTTP_P_URI_TOO_LONG;
		req->path[o++] = (char)c;
	}
	req->path[o] = '\0';
	req->path_len = o;
	return HTTP_P_OK;
}

/* Connection: a comma-separated list of options, case-insensitive. */
static void
connection_field(const uint8_t *v, size_t n, struct http_req *req)
{
	size_t i = 0;

	while (i < n) {
		size_t s, e;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == 5 && strncasecmp((const char *)v + s, "close", 5) == 0)
			req->keep_alive = 0;
	}
}

/* One field line (no CRLF): checked, and the fields that matter read. */
CTL_MUST_USE static enum http_perr
field_line(const uint8_t *l, size_t len, struct http_req *req, int *clen_seen)
{
	size_t c = 0, vs, ve;

	while (c < len && is_tchar(l[c]))
		c++;
	if (c == 0 || c == len || l[c] != ':')
		return HTTP_P_BAD; /* also obs-fold (a leading SP/HTAB) and "name :" */
	for (size_t i = c + 1; i < len; i++)
		if ((l[i] < 0x20 && l[i] != '\t') || l[i] == 0x7f)
			return HTTP_P_BAD;
	for (vs = c + 1; vs < len && (l[vs] == ' ' || l[vs] == '\t'); vs++)
		;
	for (ve = len; ve > vs && (l[ve - 1] == ' ' || l[ve - 1] == '\t'); ve--)
		;
	if (c == 10 && strncasecmp((const char *)l, "Connection", 10) == 0) {
		connection_field(l + vs, ve - vs, req);
	} else if (c == 17 && strncasecmp((const char *)l, "Transfer-Encoding", 17) == 0) {
		return HTTP_P_BODY;
	} else if (c == 14 && strncasecmp((const char *)l, "Content-Length", 14) == 0) {
		/* Only "0" is a request without a body; anything else is refused. */
		if (ve - vs != 1 || l[vs] != '0' || *clen_seen)
			return ve == vs ? HTTP_P_BAD : HTTP_P_BODY;
		*clen_seen = 1;
	}
	return HTTP_P_OK;
}

/* The field lines from off to the blank line; *end is the head's length. */
CTL_MUST_USE static enum http_perr
fields(const uint8_t *b, size_t n, size_t off, struct http_req *req, size_t *end)
{
	int clen_seen = 0;
	enum http_perr e = HTTP_P_OK, fe;

	for (;;) {
		size_t len, next;
		int r = line_end(b, n, off, &len, &next);

		if (r < 0)
			return HTTP_P_BAD;
		if (r > 0 || next > HTTP_HEAD_MAX)
			return n >= HTTP_HEAD_MAX || (r == 0 && next > HTTP_HEAD_MAX) ? HTTP_P_HEAD_TOO_LARGE
			                                                               : HTTP_P_INCOMPLETE;
		if (len == 0) {
			*end = next;
			return e;
		}
		/* The first refusal counts, but the head is still read to its end (for its length). */
		if ((fe = field_line(b + off, len, req, &clen_seen)) != HTTP_P_OK && e == HTTP_P_OK)
			e = fe;
		off = next;
	}
}

enum http_perr
http_parse(const uint8_t *buf, size_t n, struct http_req *req)
{
	size_t off = 0, len, next, t_off = 0, t_len = 0, end = 0;
	enum http_perr e;
	int r;

	memset(req, 0, sizeof(*req));
	while (off < n && off < HTTP_HEAD_MAX && (buf[off] == '\n' || buf[off] == '\r'))
		off++;
	if ((r = line_end(buf, n, off, &len, &next)) < 0)
		return HTTP_P_BAD;
	if (r > 0)
		return n - off > LINE_MAX_LEN ? HTTP_P_URI_TOO_LONG
		     : n >= HTTP_HEAD_MAX ? HTTP_P_HEAD_TOO_LARGE : HTTP_P_INCOMPLETE;
	if (len > LINE_MAX_LEN)
		return HTTP_P_URI_TOO_LONG;
	if ((e = request_line(buf + off, len, req, &t_off, &t_len)) != HTTP_P_OK)
		return e;
	if ((e = fields(buf, n, next, req, &end)) != HTTP_P_OK)
		return e;
	req->head_len = end;
	if (req->method == HTTP_M_OTHER)
		return HTTP_P_METHOD;
	return decode_target(buf + off + t_off, t_len, req);
}
