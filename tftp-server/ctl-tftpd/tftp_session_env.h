/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a transfer (tftp_session.c) is given when it is created: the
 * environment it lives in and the request it serves. This header sits
 * between the server and the session: the server fills it in, the session
 * uses only what it holds, and never calls the server. The clock, the
 * timer, sending and the two reports back (first ACK, end) are callbacks,
 * so the session's state machine runs the same on the event loop and on
 * the fake environment of the unit tests.
 */
#ifndef TFTP_SESSION_ENV_H
#define TFTP_SESSION_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "ctl/err.h"
#include "loop.h"
#include "tftp_addr.h"
#include "tftp_cache.h"
#include "tftp_codec.h"
#include "tftp_opts.h"
#include "tftp_stats.h"

struct tftp_req;

/* Timing limits, from the configuration. */
struct tftp_session_limits {
	unsigned max_lifetime_s;  /* whole life of a transfer */
	unsigned timeout_ms;      /* first retransmission timeout */
	unsigned max_timeout_ms;  /* backoff ceiling */
	unsigned retries;         /* retransmissions before giving up */
};

/* One datagram to send: a header and a payload (either may be empty). */
struct tftp_dgram {
	const void *hdr;
	size_t hdr_len;
	const void *data;
	size_t data_len;
};

struct tftp_session_ops {
	/* Monotonic milliseconds. */
	uint64_t (*now)(void *ctx);
	/* Arms t to fire in ms milliseconds (its callback gets the loop); 0 or -1. */
	int (*timer_set)(void *ctx, struct loop_timer *t, uint64_t ms);
	void (*timer_cancel)(void *ctx, struct loop_timer *t);
	/*
	 * Sends n datagrams to the client through link (the transfer's own
	 * port). A datagram the kernel refuses counts as lost: the session's
	 * timer resends it.
	 */
	void (*send)(void *ctx, void *link, const struct tftp_dgram *d, unsigned n);
	/* The transfer for req has had its first ACK. */
	void (*acked)(void *ctx, struct tftp_req *req);
	/*
	 * The transfer for req ended (completed or not): its slot and its link
	 * are free. Called once, as the session's last act before it is freed.
	 */
	void (*ended)(void *ctx, struct tftp_req *req, void *link, int completed);
};

/* Shared by every session of one server; it outlives them. */
struct tftp_session_env {
	const struct tftp_session_ops *ops;
	void *ctx;                              /* first argument of every op */
	const struct tftp_session_limits *lim;
	struct tftp_stats *stats;
};

/* What the server decided for one accepted request. */
struct tftp_start {
	const union tftp_sa *peer;
	struct tftp_file *file;   /* reference handed to the session on success */
	enum tftp_mode mode;
	struct tftp_neg neg;
	struct tftp_req *req;     /* the server's entry, handed back in acked and ended */
	void *link;               /* the transfer's port, handed back in send and ended */
};

#endif
