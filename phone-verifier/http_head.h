/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The head of an HTTP/1.x response as a phone reads it from a TFTP
 * server's HTTP port (6970): status line and header fields, bounded in
 * size. Only what the phone's client needs is kept: the status code,
 * Content-Length, whether a Transfer-Encoding was sent and whether the
 * server keeps the connection open for the phone's next file.
 */
#ifndef PV_HTTP_HEAD_H
#define PV_HTTP_HEAD_H

#include <stddef.h>
#include <stdint.h>

#include <ctl/err.h>

/* The largest response head read (status line, fields, blank line): ctl-suite's choice. */
#define PV_HTTP_HEAD_MAX 8192

struct pv_http_head {
	unsigned status;     /* 100..999 from the status line */
	int has_length;      /* a Content-Length field came */
	uint64_t length;     /* its value */
	int has_encoding;    /* a Transfer-Encoding field came (chunked or other) */
	/*
	 * The connection stays open after this response (RFC 9112 9.3): an
	 * HTTP/1.1 answer without "Connection: close", or an HTTP/1.0 one
	 * with "Connection: keep-alive".
	 */
	int keep_alive;
	size_t head_len;     /* bytes of the head, through its blank line */
};

/*
 * Parses the head at the start of p[0..n) (only the first PV_HTTP_HEAD_MAX
 * bytes are looked at). CTL_OK with h filled once the blank line ends it;
 * CTL_E_TRUNCATED while more bytes may complete it; CTL_E_TOO_LARGE when
 * PV_HTTP_HEAD_MAX bytes hold no end; CTL_E_INVAL for a malformed head.
 * On failure why (cap bytes) says what and at which byte offset.
 */
CTL_MUST_USE enum ctl_err pv_http_head_parse(const uint8_t *p, size_t n, struct pv_http_head *h,
                                             char *why, size_t cap);

#endif
