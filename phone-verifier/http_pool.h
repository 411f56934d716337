/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP connections an 88xx-family phone keeps open between its files
 * (http_get.c): after a complete answer that lets the connection stay
 * (HTTP/1.1 keep-alive), the phone's next GET goes on the same connection,
 * as an HTTP/1.1 client does, instead of a new handshake per file. Parked
 * connections belong to one phone (its tftp_get.arg and source address):
 * never lent to another. A pool holds at most max idle ones; the oldest
 * goes first when it is full.
 */
#ifndef PV_HTTP_POOL_H
#define PV_HTTP_POOL_H

#include <stddef.h>

#include "pv.h"

/* One TCP connection to the HTTP port; owned by http_get.c, parked here between files. */
struct pv_http;

struct pv_http_conn {
	struct pv_http *http;           /* the client it belongs to */
	int fd;
	const void *owner;              /* the phone (tftp_get.arg) */
	union tftp_sa local;            /* its source address (family 0: any) */
	void *xchg;                     /* the exchange on it (http_get.c); NULL while parked */
	unsigned requests;              /* answered on it so far */
	/* The pool's links while parked. */
	struct pv_http_conn *hnext;
	struct pv_http_conn *older, *newer;
};

struct pv_http_pool;

/* A pool of at most max (>= 1) parked connections; NULL when out of memory. */
CTL_MUST_USE struct pv_http_pool *pv_http_pool_new(size_t max);
/* Frees the pool only: the caller takes every parked connection out first. NULL ok. */
void pv_http_pool_free(struct pv_http_pool *p);
/*
 * Parks c (its owner and local set). When the pool was full, the oldest
 * parked connection is taken out and returned for the caller to close;
 * otherwise NULL.
 */
CTL_MUST_USE struct pv_http_conn *pv_http_pool_put(struct pv_http_pool *p, struct pv_http_conn *c);
/*
 * Takes out a connection parked for owner from local (NULL: any address),
 * or NULL when there is none.
 */
struct pv_http_conn *pv_http_pool_take(struct pv_http_pool *p, const void *owner,
                                       const union tftp_sa *local);
/* Takes out any connection parked for owner (from any address); NULL when none is left. */
struct pv_http_conn *pv_http_pool_take_owner(struct pv_http_pool *p, const void *owner);
/* Takes out c, parked in p (the server closed it, say). */
void pv_http_pool_remove(struct pv_http_pool *p, struct pv_http_conn *c);
/* The oldest parked connection, still parked; NULL when the pool is empty. */
struct pv_http_conn *pv_http_pool_oldest(const struct pv_http_pool *p);
/* Connections parked now. */
size_t pv_http_pool_count(const struct pv_http_pool *p);

#endif
