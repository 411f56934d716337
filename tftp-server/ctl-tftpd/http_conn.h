/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One HTTP connection of ctl-tftpd's port 6970 service: its non-blocking
 * socket on the event loop, the bytes read and not yet parsed, the answers
 * queued (each a head and a borrowed file image, written with writev()
 * from the cache's buffer, partial writes resumed) and one deadline timer.
 * Keep-alive requests and pipelined ones are answered in order; HTTP/1.0
 * closes after its answer. Two deadlines bound a connection whatever the
 * client does: the head of a request must arrive within the header
 * timeout of the connection's start or of its previous answer (bytes
 * trickling in do not extend it; answered 408), and queued answers must
 * make progress within the send timeout. A connection that ends after an
 * answer shuts its sending side and discards what still comes for a
 * moment (a lingering close), so the client reads the answer instead of a
 * reset. The connection knows nothing of the server: it resolves names and
 * reports its end through the environment it was created with.
 */
#ifndef HTTP_CONN_H
#define HTTP_CONN_H

#include <stddef.h>

#include "ctl/err.h"
#include "loop.h"
#include "tftp_addr.h"
#include "tftp_cache.h"
#include "tftp_map.h"
#include "tftp_stats.h"

struct http_limits {
	unsigned header_timeout_ms;  /* a request head, from start or previous answer */
	unsigned send_timeout_ms;    /* without any byte of queued answers written */
};

struct http_conn;

struct http_conn_env {
	struct loop *loop;
	const struct http_limits *lim;
	struct tftp_stats *st;
	/*
	 * Looks up a validated name for the client from (tftp_resolve.h):
	 * TFTP_C_OK with a reference in *out; served gets the name looked up.
	 */
	enum tftp_cache_err (*resolve)(void *ctx, const char *name, const char *from,
	                               struct tftp_file **out, char served[TFTP_NAME_MAX + 1]);
	/* The connection ended: its last act before it is freed. */
	void (*closed)(void *ctx, void *tag);
	void *ctx;
	struct rollout *rollout;   /* what devices were served (rollout.h); NULL: off */
};

/*
 * Takes over the connected non-blocking socket fd from peer and registers
 * it on env->loop; tag is handed back in env->closed. NULL when out of
 * memory or the loop refuses it (fd is then closed, closed not called).
 */
CTL_MUST_USE struct http_conn *http_conn_new(const struct http_conn_env *env, int fd,
                                             const union tftp_sa *peer, void *tag);
/* Closes and frees the connection without calling env->closed (shutdown). NULL ok. */
void http_conn_free(struct http_conn *c);

#endif
