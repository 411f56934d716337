/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-tftpd internals: the configuration main() builds and the server
 * (listeners, request handling, counters, admission through the request
 * table that coalesces duplicate requests). The server creates each
 * transfer (tftp_session.h) with the environment of tftp_session_env.h
 * and hears back only through it.
 */
#ifndef TFTP_SERVER_H
#define TFTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "ctl/err.h"
#include "http_listen.h"
#include "loop.h"
#include "tftp_addr.h"
#include "tftp_cache.h"
#include "tftp_codec.h"
#include "tftp_log.h"
#include "tftp_opts.h"
#include "tftp_reqtab.h"
#include "tftp_stats.h"

#define TFTP_MAX_LISTEN 16

struct tftp_config {
	union tftp_sa listen[TFTP_MAX_LISTEN];
	size_t nlisten;
	const char *root;
	const char *user;
	int chroot;
	unsigned max_transfers;   /* "Max Serving Count" */
	unsigned admit;           /* transfers started before new requests wait; 0 = no limit */
	unsigned queue_max;       /* requests waiting for a slot */
	unsigned source_queue;    /* of those, from one client address */
	unsigned source_rate;     /* new requests per second from one address; 0 = no limit */
	unsigned max_lifetime_s;  /* whole life of a transfer */
	unsigned timeout_ms;      /* first retransmission timeout */
	unsigned max_timeout_ms;  /* backoff ceiling */
	unsigned retries;         /* retransmissions before giving up */
	unsigned mtu;             /* path MTU that caps blksize */
	unsigned blksize_max;     /* explicit cap; 0 = from mtu */
	unsigned windowsize_max;
	size_t rcvbuf;
	size_t max_file;
	size_t cache_max;
	int allow_hardlinks;
	int no_inotify;
	unsigned wrq_error;       /* ERROR code for write requests (2 or 4) */
	unsigned status_interval; /* seconds; 0 = only on SIGUSR1 */
	enum tftp_loglevel loglevel;
	struct http_config http;  /* --http: the same files over HTTP */
	const char *rollout_state;   /* --rollout-state FILE; NULL: in memory only */
	unsigned rollout_forget_days;/* --rollout-forget DAYS (0: never) */
	int no_rollout;              /* --no-rollout: no tracker at all */
};

struct tftp_server;

/* Binds the listeners (before privileges are dropped). NULL on failure, message in err. */
CTL_MUST_USE struct tftp_server *tftp_server_new(const struct tftp_config *cfg,
                                                 struct loop *loop, char *err, size_t errlen);
/* Opens the root cache (after chroot/privilege drop) and starts serving. */
CTL_MUST_USE int tftp_server_start(struct tftp_server *s, const char *root, char *err, size_t errlen);
/* Frees the server and every session (counted as failed). NULL ok. */
void tftp_server_free(struct tftp_server *s);
/* Logs the counters line (SIGUSR1 or the status interval). */
void tftp_server_log_status(struct tftp_server *s);
/*
 * SIGHUP: rescans the root (reopened by its path, cache and watches
 * dropped; transfers keep their versions) and logs the outcome. When the
 * root cannot be reopened the previous one stays in use.
 */
void tftp_server_reload(struct tftp_server *s);
/* The rollout tracker (rollout.h); NULL with --no-rollout. */
struct rollout *tftp_server_rollout(const struct tftp_server *s);
const struct tftp_stats *tftp_server_stats(const struct tftp_server *s);
struct tftp_status;
/* The counters and queue figures the status line shows (tftp_status.h), for the admin port. */
void tftp_server_status(struct tftp_server *s, struct tftp_status *ss);

#endif
