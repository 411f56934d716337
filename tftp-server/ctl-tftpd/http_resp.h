/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Response heads of the HTTP service: the status line and header fields
 * for a file (200, application/octet-stream) or for a refusal (a short
 * text/plain body naming the status), formatted into the caller's buffer.
 */
#ifndef HTTP_RESP_H
#define HTTP_RESP_H

#include <stddef.h>

#include "ctl/err.h"

/* Room enough for any head built here. */
#define HTTP_RESP_HEAD_MAX 256

/* The reason phrase of a status this service sends ("Not Found"). */
const char *http_status_reason(unsigned status);

/*
 * The head of a 200 answer for a file of size bytes into buf (cap bytes).
 * keep_alive 0 adds "Connection: close". Returns its length, or 0 when it
 * does not fit.
 */
CTL_MUST_USE size_t http_resp_file(char *buf, size_t cap, size_t size, int keep_alive);

/*
 * The head of a refusal with status into buf; *body and *body_len receive
 * its static body ("404 Not Found\n"). 405 carries "Allow: GET, HEAD",
 * 503 "Retry-After: 1". Returns the head's length, or 0 when it does not fit.
 */
CTL_MUST_USE size_t http_resp_error(char *buf, size_t cap, unsigned status, int keep_alive,
                                    const char **body, size_t *body_len);

#endif
