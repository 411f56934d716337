/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP service's listening sockets (--http, TCP 6970 on CUCM) and its
 * connection caps: in total and per client address. A connection over a
 * cap is answered 503 (with Retry-After) and closed at once, costing no
 * state; the others become connections (http_conn.h) that resolve names
 * through the same cache and resolver as TFTP requests (tftp_resolve.h)
 * and count into the same counters.
 */
#ifndef HTTP_LISTEN_H
#define HTTP_LISTEN_H

#include <stddef.h>

#include "ctl/err.h"
#include "http_conn.h"
#include "loop.h"
#include "tftp_addr.h"
#include "tftp_cache.h"
#include "tftp_stats.h"

#define HTTP_MAX_LISTEN 16

/* The --http options, in struct tftp_config. */
struct http_config {
	union tftp_sa addr[HTTP_MAX_LISTEN];
	size_t n;                  /* 0: no HTTP service */
	unsigned max_conns;        /* connections open at once */
	unsigned source_conns;     /* of those, from one client address */
	struct http_limits lim;
};

struct http_listen;

/*
 * Binds and listens on every address (before privileges are dropped);
 * nothing is accepted until http_listen_start(). NULL on failure with a
 * message in err. Free with http_listen_free().
 */
CTL_MUST_USE struct http_listen *http_listen_new(struct loop *l, const struct http_config *cfg,
                                                 struct tftp_stats *st, char *err, size_t errlen);
/* Starts accepting; names are resolved in cache (it outlives the listener). 0 or -1. */
CTL_MUST_USE int http_listen_start(struct http_listen *hl, struct tftp_cache *cache, char *err,
                                   size_t errlen);
/* Closes every connection and socket. NULL ok. */
void http_listen_free(struct http_listen *hl);
struct rollout;
/* Files served over HTTP are noted in r (rollout.h); NULL: not tracked. */
void http_listen_set_rollout(struct http_listen *hl, struct rollout *r);

#endif
