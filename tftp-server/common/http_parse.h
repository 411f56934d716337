/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP/1.x request head parser of ctl-tftpd's port 6970 service
 * (RFC 9112): the request line, then the header fields it needs
 * (Connection, Content-Length, Transfer-Encoding). It reads one head from
 * the start of a buffer and never looks past its length; it copies
 * nothing but the decoded path. Percent-escapes in the path are decoded
 * here (ctl-suite's choice: "%2e%2e/" becomes "../", which the name check
 * of tftp_map.h then refuses, exactly as a TFTP request for "../" is).
 */
#ifndef HTTP_PARSE_H
#define HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "ctl/err.h"
#include "tftp_map.h"

/* Longest request head (request line and header fields) accepted. */
#define HTTP_HEAD_MAX 8192
/* Longest request target, as sent (escapes not yet decoded). */
#define HTTP_TARGET_MAX 1024

enum http_perr {
	HTTP_P_OK = 0,
	HTTP_P_INCOMPLETE,     /* no end of head yet: read more */
	HTTP_P_BAD,            /* 400: malformed request line, field or escape */
	HTTP_P_METHOD,         /* 405: a well-formed method other than GET and HEAD */
	HTTP_P_URI_TOO_LONG,   /* 414: the target, or a request line without end */
	HTTP_P_HEAD_TOO_LARGE, /* 431: the head does not end within HTTP_HEAD_MAX */
	HTTP_P_VERSION,        /* 505: HTTP/2 or later on this text port */
	HTTP_P_BODY            /* 400: a request with a body (Content-Length > 0, Transfer-Encoding) */
};

enum http_method { HTTP_M_GET = 0, HTTP_M_HEAD, HTTP_M_OTHER };

struct http_req {
	enum http_method method;
	unsigned minor;        /* HTTP/1.minor */
	int keep_alive;        /* the connection stays open after the answer */
	size_t head_len;       /* bytes of the head, its blank line included */
	size_t path_len;
	char path[TFTP_NAME_MAX + 2]; /* decoded, NUL-terminated; the query is dropped */
};

/* Short text for an error, for the log. */
const char *http_perr_str(enum http_perr e);
/* The status code an error is answered with (0 for OK and INCOMPLETE). */
unsigned http_perr_status(enum http_perr e);

/*
 * Parses the request head at the start of buf (n bytes). HTTP_P_OK fills
 * *req; HTTP_P_INCOMPLETE means the head has not ended yet (a request line
 * already complete has been checked, so garbage is refused as soon as its
 * first line is in). Any other result refuses the request: the connection
 * is to be closed after the answer, since where the next request begins
 * is unknown; only HTTP_P_METHOD also sets req->head_len and keep_alive.
 * Empty lines before the request line are skipped (RFC 9112 2.2).
 */
CTL_MUST_USE enum http_perr http_parse(const uint8_t *buf, size_t n, struct http_req *req);

#endif
