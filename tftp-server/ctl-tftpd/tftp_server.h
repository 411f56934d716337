/*
 * ctl-tftpd internals: the configuration main() builds, the server
 * (listeners, request handling, counters, admission through the request
 * table that coalesces duplicate requests) and the per-transfer session.
 */
#ifndef TFTP_SERVER_H
#define TFTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "tftp_addr.h"
#include "tftp_cache.h"
#include "tftp_codec.h"
#include "tftp_log.h"
#include "tftp_opts.h"
#include "tftp_reqtab.h"

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
};

struct tftp_stats {
	uint64_t requests;     /* RRQs received (duplicates included) */
	uint64_t duplicates;   /* RRQs that joined an existing transfer */
	uint64_t completed;
	uint64_t failed;       /* started but not completed */
	uint64_t refused;      /* answered with ERROR without starting */
	uint64_t notfound;
	uint64_t busy;         /* refused because of --max-transfers */
	uint64_t malformed;
	uint64_t bytes;        /* payload bytes of completed transfers */
	uint64_t retransmits;
	uint64_t active;
	uint64_t peak_active;
	uint64_t stale;        /* queued requests dropped: not repeated within the age limit */
	uint64_t dropped;      /* requests dropped: source over its queue share or rate */
	uint64_t evicted;      /* unacknowledged transfers ended to make room */
	uint64_t unreachable;  /* transfers ended by ICMP unreachable from the client */
	uint64_t expired;      /* transfers ended by --max-lifetime */
};

struct tftp_server;
struct tftp_session;

/* Binds the listeners (before privileges are dropped). NULL on failure, message in err. */
struct tftp_server *tftp_server_new(const struct tftp_config *cfg, struct loop *loop,
                                    char *err, size_t errlen);
/* Opens the root cache (after chroot/privilege drop) and starts serving. */
int tftp_server_start(struct tftp_server *s, const char *root, char *err, size_t errlen);
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
const struct tftp_stats *tftp_server_stats(const struct tftp_server *s);

/* ---- used by tftp_session.c ------------------------------------------- */

/* What the server decided for one accepted request. */
struct tftp_start {
	const union tftp_sa *peer;
	const union tftp_sa *local;   /* address the request came to: the session binds it, port 0 */
	struct tftp_file *file;       /* reference handed to the session */
	enum tftp_mode mode;
	struct tftp_neg neg;
	struct tftp_req *req;         /* the server's entry, handed back in the callbacks below */
};

/* Server services for sessions. */
struct tftp_stats *tftp_server_stats_mut(struct tftp_server *s);
const struct tftp_config *tftp_server_config(const struct tftp_server *s);
struct loop *tftp_server_loop(const struct tftp_server *s);
/* The transfer for req has had its first ACK. */
void tftp_server_session_acked(struct tftp_server *s, struct tftp_req *req);
/* The transfer for req ended (completed or not); its slot is free. */
void tftp_server_session_ended(struct tftp_server *s, struct tftp_req *req, int completed);

/* Creates the transfer (own socket) and sends its first packet; NULL with errno on failure. */
struct tftp_session *tftp_session_new(struct tftp_server *srv, const struct tftp_start *st);
/* Ends a transfer silently (server shutdown); counted as failed. */
void tftp_session_abort(struct tftp_session *s);
/* Ends a transfer with no ACK yet to make room for waiting requests. */
void tftp_session_evict(struct tftp_session *s);
/* A repeated RRQ from the session's client: resend the first packet if still unanswered. */
void tftp_session_duplicate(struct tftp_session *s);
const union tftp_sa *tftp_session_peer(const struct tftp_session *s);
/* Loop time of the last datagram from the client (the start time before any). */
uint64_t tftp_session_heard(const struct tftp_session *s);
/* 1 when the transfer only waits for the ACK of its last block. */
int tftp_session_at_end(const struct tftp_session *s);
/* Ends the transfer because its client made a newer request (other name, or other port). */
void tftp_session_superseded(struct tftp_session *s);

#endif
