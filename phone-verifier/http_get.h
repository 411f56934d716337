/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP first, then TFTP: how an 88xx-family phone (also 78xx, 99xx, 69xx)
 * fetches its files when the TFTP server also serves HTTP (CUCM's port
 * 6970). A pv_get_fn: each file is asked once with `GET /NAME HTTP/1.1`
 * on the TFTP server's address; anything but a complete 200 answer (refused,
 * timed out, another status, a bad or oversized head, no Content-Length,
 * more or fewer bytes than it says) falls back to a TFTP transfer of the
 * same file, as real phones try TFTP after any HTTP failure. Both end in
 * the same completion (struct tftp_result), so the trust rules never know
 * which protocol brought the bytes.
 *
 * Non-blocking on the run's event loop (libtftp/loop.h): no thread, no
 * blocking connect. HTTP/1.1 with keep-alive: a phone's files come one
 * after the other on one connection of its own (http_pool.h), none shared
 * between phones of a fleet; a kept connection the server closed in the
 * meantime is replaced once, silently, before any fallback to TFTP.
 */
#ifndef PV_HTTP_GET_H
#define PV_HTTP_GET_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "pv.h"

struct pv_http;

/*
 * A line about the HTTP side of a transfer of g (lv: its level), as a
 * format and its arguments: a receiver with nobody to tell formats
 * nothing. The message names neither task nor prefix: the receiver adds
 * them.
 */
typedef void pv_http_note_fn(void *arg, const struct tftp_get *g, enum pv_level lv,
                             const char *fmt, va_list ap);

struct pv_http_cfg {
	struct loop *loop;
	const union tftp_sa *server;  /* the TFTP server: its address, with port below */
	unsigned port;                /* the HTTP port (1..65535) */
	unsigned deadline_ms;         /* whole exchange, connect to last byte */
	size_t max_size;              /* largest body taken (TFTP's cap) */
	pv_get_fn *fallback;          /* the TFTP transfer after an HTTP failure */
	void *fallback_arg;
	pv_http_note_fn *note;        /* NULL: silent */
	void *note_arg;
};

/* The client; cfg is copied. NULL when out of memory. */
CTL_MUST_USE struct pv_http *pv_http_new(const struct pv_http_cfg *cfg);
/* Frees it and closes every exchange in flight, without callbacks. NULL ok. */
void pv_http_free(struct pv_http *h);
/*
 * The pv_get_fn (arg: a struct pv_http). 0 with g->done called later from
 * the loop (once, after HTTP or after the TFTP fallback), or the fallback's
 * own result when the HTTP attempt could not even start.
 */
CTL_MUST_USE int pv_http_get(void *arg, const struct tftp_get *g);

/* What a client counted: files over HTTP, HTTP failures that fell back to TFTP. */
void pv_http_counts(const struct pv_http *h, uint64_t *ok, uint64_t *fallbacks);
/* Connections opened, and requests sent on a kept-alive connection instead. */
void pv_http_conn_counts(const struct pv_http *h, uint64_t *connects, uint64_t *reuses);
/*
 * A pv_get_release_fn (arg: a struct pv_http): the phone owner (the
 * tftp_get.arg of its transfers) is done; its kept connections close.
 */
void pv_http_release(void *arg, const void *owner);

/*
 * Wires a run for --http-port: when port is non-zero and the run's phones
 * are of the 88xx family (e->form), e->get becomes the HTTP client with the
 * previous e->get as its fallback (e->get_release closing a phone's kept
 * connection when it is done), and console lines go through
 * pv_phone_line (boot.c hands each transfer's phone as g->arg). A 79xx run
 * is left as it is. *out (NULL when not wired) is freed with pv_http_free()
 * before pv_env_cleanup(). PV_EXIT_OK, or an exit status with why.
 */
CTL_MUST_USE int pv_http_setup(struct pv_env *e, unsigned port, unsigned deadline_ms,
                               struct pv_http **out, char *why, size_t cap);

#endif
