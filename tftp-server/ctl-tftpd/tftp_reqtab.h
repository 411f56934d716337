/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request table: every read request ctl-tftpd knows of, wherever it is --
 * waiting in the admission queue, being served, or served in the last few
 * seconds -- keyed by client address:port and file name, so a retransmitted
 * RRQ is recognised as the same request in each of those places. It also
 * keeps the admission queue (bounded, per-source cap, age-out), the list of
 * running transfers that have had no ACK yet (oldest first, evicted first)
 * and a per-source token bucket for new requests. Pure bookkeeping: no
 * sockets, no clock of its own (callers pass "now" in milliseconds).
 */
#ifndef TFTP_REQTAB_H
#define TFTP_REQTAB_H

#include "ctl/err.h"
#include <stddef.h>
#include <stdint.h>

#include "tftp_addr.h"

enum tftp_req_state {
	TFTP_REQ_QUEUED,   /* waiting for a transfer slot; holds the raw request */
	TFTP_REQ_RUNNING,  /* a session serves it */
	TFTP_REQ_DONE      /* completed; remembered for linger_ms */
};

struct tftp_reqtab_cfg {
	size_t queue_max;     /* queued requests in all */
	size_t source_max;    /* queued requests from one client address */
	unsigned rate;        /* new requests per second from one address; 0 = no limit */
	uint64_t max_age_ms;  /* a queued request not repeated for this long is dropped */
	uint64_t linger_ms;   /* a completed request is remembered this long */
};

/* One request. Fields are read by the server; only tftp_reqtab.c writes them. */
struct rollout_flight;

struct tftp_req {
	union tftp_sa peer;
	union tftp_sa local;      /* address the request came to */
	uint32_t name_hash;
	enum tftp_req_state state;
	uint64_t seen;            /* last time the client sent it (ms) */
	uint64_t since;           /* queued: arrival; running: start; done: completion */
	void *sess;               /* running: the session serving it */
	uint8_t *pkt;             /* queued: the raw request */
	size_t len;
	unsigned origin;          /* the caller's tag (which listener); the caller sets it */
	struct rollout_flight *flight;   /* the caller's: the rollout table's entry for the transfer */
	/* links, private to tftp_reqtab.c */
	struct tftp_req *by_peer, *by_name;  /* hash chains */
	struct tftp_req *prev, *next;        /* queue, unacked or done list */
	struct tftp_src *src;
	int acked;
};

enum tftp_enq {
	TFTP_ENQ_OK,
	TFTP_ENQ_FULL,        /* queue_max reached */
	TFTP_ENQ_SOURCE,      /* source_max reached for this address */
	TFTP_ENQ_NOMEM
};

struct tftp_reqtab;

/* A new table (copies cfg), or NULL. Free with tftp_reqtab_free(). */
CTL_MUST_USE struct tftp_reqtab *tftp_reqtab_new(const struct tftp_reqtab_cfg *cfg);
/* Frees the table and every entry (sessions are the caller's). NULL ok. */
void tftp_reqtab_free(struct tftp_reqtab *t);

/* FNV-1a of a file name as the client wrote it. */
uint32_t tftp_reqtab_name_hash(const char *name, size_t n);

/* The entry for this client address:port and name, in any state, or NULL. */
struct tftp_req *tftp_reqtab_find(struct tftp_reqtab *t, const union tftp_sa *peer, uint32_t name_hash);
/* An entry from the same client address and port for another name, not done; or NULL. */
struct tftp_req *tftp_reqtab_find_port(struct tftp_reqtab *t, const union tftp_sa *peer, uint32_t name_hash);
/* An entry from the same client address for the same name on another port, not done; or NULL. */
struct tftp_req *tftp_reqtab_find_name(struct tftp_reqtab *t, const union tftp_sa *peer, uint32_t name_hash);

/*
 * Takes one token from the client address's bucket (rate per second,
 * burst of one second's worth). Returns 1 when the request may proceed,
 * 0 when the address is over its rate.
 */
int tftp_reqtab_rate_take(struct tftp_reqtab *t, const union tftp_sa *peer, uint64_t now);

/* Queues a copy of the request; *out is the entry (owned by the table). */
CTL_MUST_USE enum tftp_enq tftp_reqtab_enqueue(struct tftp_reqtab *t, const union tftp_sa *peer,
                                               const union tftp_sa *local, uint32_t name_hash,
                                               const uint8_t *pkt, size_t len, uint64_t now, struct tftp_req **out);
/* The client sent a queued or running request again: it is still there. */
void tftp_reqtab_touch(struct tftp_req *r, uint64_t now);
/*
 * The oldest queued request the client has repeated or sent within
 * max_age_ms, or NULL; older ones are removed on the way and counted in
 * *stale. The entry stays queued until tftp_reqtab_run() or _remove().
 */
struct tftp_req *tftp_reqtab_head(struct tftp_reqtab *t, uint64_t now, uint64_t *stale);
size_t tftp_reqtab_queued(const struct tftp_reqtab *t);

/*
 * An entry for a request that starts without waiting; NULL when out of
 * memory. Call tftp_reqtab_run() once its session exists (or _remove()).
 */
CTL_MUST_USE struct tftp_req *tftp_reqtab_add(struct tftp_reqtab *t, const union tftp_sa *peer,
                                              uint32_t name_hash, uint64_t now);
/* An entry starts running: a queued one's raw request is freed; it joins the unacked list. */
void tftp_reqtab_run(struct tftp_reqtab *t, struct tftp_req *r, void *sess, uint64_t now);
/* The running transfer has had its first ACK: it leaves the unacked list. */
void tftp_reqtab_acked(struct tftp_reqtab *t, struct tftp_req *r);
/* The oldest running transfer with no ACK yet, or NULL. */
struct tftp_req *tftp_reqtab_oldest_unacked(const struct tftp_reqtab *t);
size_t tftp_reqtab_unacked(const struct tftp_reqtab *t);
/* A transfer ended: completed ones are remembered as done, others removed. */
void tftp_reqtab_ended(struct tftp_reqtab *t, struct tftp_req *r, int completed, uint64_t now);
/* Removes an entry in any state. */
void tftp_reqtab_remove(struct tftp_reqtab *t, struct tftp_req *r);
/* Some running entry, or NULL (for shutdown; walks the whole table). */
struct tftp_req *tftp_reqtab_any_running(const struct tftp_reqtab *t);
/* Forgets done entries older than linger_ms and idle sources. */
void tftp_reqtab_expire(struct tftp_reqtab *t, uint64_t now);

#endif
