/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The daemons' admin port (--admin ADDR:PORT): a small read-only HTTP/1.x
 * server on a libtftp loop that answers GET / with the status page
 * (text/html, no script) and GET /metrics with the Prometheus text
 * exposition (0.0.4); HEAD too. Requests are read with http_parse.h.
 * Bounded: ADMIN_MAX_CONNS connections, a head within HTTP_HEAD_MAX bytes
 * and ADMIN_HEADER_MS, an answer sent within ADMIN_SEND_MS; any other
 * method is answered 405, any other path 404 (nothing is read from disk
 * by path), and every connection closes after its answer.
 */
#ifndef ADMIN_H
#define ADMIN_H

#include <stddef.h>

#include "admin_text.h"
#include "ctl/err.h"
#include "loop.h"

/* Fixed bounds (the port is for one administrator and a scraper); -D for experiments. */
#ifndef ADMIN_MAX_CONNS
#define ADMIN_MAX_CONNS 16
#endif
#ifndef ADMIN_HEADER_MS
#define ADMIN_HEADER_MS 5000
#endif
#ifndef ADMIN_SEND_MS
#define ADMIN_SEND_MS 10000
#endif

/* What the daemon shows; the renderers run in the loop's thread. */
struct admin_handler {
	void (*page)(void *ctx, struct admin_buf *out);    /* HTML of GET / */
	void (*metrics)(void *ctx, struct admin_buf *out); /* exposition of GET /metrics */
	void (*log)(void *ctx, const char *msg);           /* one log line */
	void *ctx;
};

struct admin;

/*
 * Binds addrport ("127.0.0.1:8080", "[::1]:0": port 0 picks one), listens
 * on loop l and logs "listening on admin ADDR:PORT". NULL with the reason
 * in err.
 */
CTL_MUST_USE struct admin *admin_new(struct loop *l, const char *addrport,
                                     const struct admin_handler *h, char *err, size_t errlen);
/* Closes the port and every connection. NULL is a no-op. */
void admin_free(struct admin *a);

#endif
