/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-tftpd server: request validation, the Max Serving Count and
 * admission, on the request ports of tftp_listen.c; names are resolved
 * to files by tftp_resolve.c, and each accepted request becomes a session
 * (tftp_session.c) on its own port (tftp_tid.c), created with the
 * environment of tftp_session_env.h. Requests are drained from the
 * sockets at once into the
 * request table (tftp_reqtab.c), which recognises a repeated RRQ wherever
 * its request is -- queued, running or just completed -- so it never
 * starts a second transfer, and which queues what cannot start yet. Every
 * per-client problem ends in an ERROR packet and a counter, never in an
 * exit.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl/text.h"
#include "tftp_listen.h"
#include "tftp_map.h"
#include "tftp_resolve.h"
#include "rollout_keep.h"
#include "tftp_server.h"
#include "tftp_session.h"
#include "tftp_status.h"
#include "tftp_tid.h"

/*
 * A queued request the client has not repeated for this long is dropped:
 * phones retransmit every second or faster while they wait, so silence
 * means the phone gave up (and its port is closed). Completed requests are
 * remembered a little longer, so a retransmission that was still on its
 * way when the transfer ended is not served again.
 */
#define QUEUE_AGE_MS 3000
#define DONE_LINGER_MS 5000
#define EXPIRE_MS 1000
/*
 * A client is taken to have gone (its transfer may be evicted or
 * superseded) after this long without a word, or a --timeout if longer.
 * Not less: on a busy machine a live phone's ACK can take a second, and
 * evicting it costs its whole boot.
 */
#define SILENT_MS 2000

struct tftp_server {
	const struct tftp_config *cfg;
	struct loop *loop;
	struct tftp_cache *cache;
	struct tftp_listen *listen;
	struct http_listen *http;   /* NULL without --http */
	struct tftp_reqtab *reqs;
	struct tftp_stats st;
	struct loop_timer status;
	struct loop_timer pump;     /* starts queued requests when slots free up */
	struct loop_timer expire;   /* forgets old completed requests */
	struct tftp_session_limits lim;
	struct tftp_session_env env;  /* what every session is created with */
	struct rollout_keep *rollout; /* NULL with --no-rollout */
};

static void on_status(struct loop *l, struct loop_timer *t, void *arg);

const struct tftp_stats *tftp_server_stats(const struct tftp_server *s) { return &s->st; }

/* ---- answers ---------------------------------------------------------- */

static void
reply_error(int fd, const union tftp_sa *to, unsigned code, const char *msg)
{
	uint8_t pkt[160];
	size_t n;

	if (tftp_build_error(pkt, sizeof(pkt), (uint16_t)code, msg, &n) == 0)
		(void)sendto(fd, pkt, n, 0, &to->sa, tftp_addr_len(to));
}

/* n bytes of p escaped for a log line (ctl/text.h), cut to fit out. */
static const char *
esc(char *out, size_t cap, const void *p, size_t n)
{
	(void)ctl_text_escape(out, cap, p, n);
	return out;
}

/*
 * The client's address for a log line, formatted into buf (empty until
 * then) on first use: in a storm most requests are retransmissions that
 * are joined or dropped without a word, and formatting an address for
 * each of them took 2-8% of the server's CPU time (more on a busy host).
 */
static const char *
peer_str(const union tftp_sa *from, char *buf, size_t cap)
{
	if (buf[0] == '\0')
		tftp_addr_str(from, buf, cap);
	return buf;
}

static void
log_request(const struct tftp_pkt *p, const union tftp_sa *peer, char *from, size_t cap)
{
	char name[300], opts[400];
	size_t o = 0;

	if (!tftp_log_enabled(TFTP_LOG_INFO))
		return;
	(void)peer_str(peer, from, cap);
	opts[0] = '\0';
	for (size_t i = 0; i < p->opts.n && o < sizeof(opts); i++) {
		char k[40], v[40];
		int w = snprintf(opts + o, sizeof(opts) - o, " %s[%s]",
		                 esc(k, sizeof(k), p->opts.opt[i].name, p->opts.opt[i].name_len),
		                 esc(v, sizeof(v), p->opts.opt[i].value, p->opts.opt[i].value_len));

		if (w < 0 || (size_t)w >= sizeof(opts) - o)
			break;
		o += (size_t)w;
	}
	tftp_log(TFTP_LOG_INFO, "Read Request from[%s] for[%s] mode[%s]%s", from,
	         esc(name, sizeof(name), p->file, p->file_len), tftp_mode_str(p->mode), opts);
}

/* ---- requests --------------------------------------------------------- */

static void pump_soon(struct tftp_server *s, uint64_t ms);

/* Validates, resolves and starts one request for entry r; NULL when answered with an ERROR. */
static struct tftp_session *
start_transfer(struct tftp_server *s, const struct tftp_listener *l, const union tftp_sa *from,
               const union tftp_sa *local, const struct tftp_pkt *p, char *fromstr,
               struct tftp_req *r)
{
	const struct tftp_config *cfg = s->cfg;
	char name[TFTP_NAME_MAX + 1], served[TFTP_NAME_MAX + 1], escd[300];
	struct tftp_start st;
	struct tftp_optreq req;
	struct tftp_limits lim;
	struct tftp_session *sess = NULL;
	struct tftp_tid *tid;
	enum tftp_name_err ne;
	enum tftp_cache_err ce;
	unsigned hdr = from->sa.sa_family == AF_INET6 ? 52 : 32;
/* The client's address, formatted into fromstr (TFTP_ADDRSTR bytes) on first use. */
#define WHO() peer_str(from, fromstr, TFTP_ADDRSTR)

	if ((ne = tftp_name_check(p->file, p->file_len, name, sizeof(name))) != TFTP_N_OK) {
		s->st.refused++;
		tftp_log(TFTP_LOG_WARN, "Access denied[%s] for %s: %s",
		         esc(escd, sizeof(escd), p->file, p->file_len), WHO(), tftp_name_errstr(ne));
		reply_error(l->fd, from, TFTP_EACCESS, tftp_name_errstr(ne));
		return NULL;
	}
	if (tftp_opts_read(&p->opts, &req) != TFTP_P_OK) {
		s->st.malformed++;
		tftp_log(TFTP_LOG_WARN, "Malformed request from %s: %s", WHO(),
		         tftp_perr_str(TFTP_P_OPT_VALUE));
		reply_error(l->fd, from, TFTP_EOPTNEG, tftp_perr_str(TFTP_P_OPT_VALUE));
		return NULL;
	}
	memset(&st, 0, sizeof(st));
	/* Its log lines are INFO: the address is formatted only when they are written. */
	if ((ce = tftp_resolve(s->cache, name, tftp_log_enabled(TFTP_LOG_INFO) ? WHO() : "", &st.file,
	                       served)) != TFTP_C_OK) {
		if (ce == TFTP_C_NOTFOUND) {
			s->st.notfound++;
			if (tftp_log_enabled(TFTP_LOG_INFO))
				tftp_log(TFTP_LOG_INFO, "File not found[%s] for %s", served, WHO());
		} else {
			s->st.refused++;
			tftp_log(TFTP_LOG_WARN, "Access denied[%s] for %s: %s", served, WHO(),
			         tftp_cache_errstr(ce));
		}
		reply_error(l->fd, from, tftp_cache_ecode(ce),
		            ce == TFTP_C_NOTFOUND ? "File not found" : tftp_cache_errstr(ce));
		return NULL;
	}
	lim.blksize_max = cfg->blksize_max ? cfg->blksize_max
	                : cfg->mtu > hdr + TFTP_BLKSIZE_MIN ? cfg->mtu - hdr : TFTP_BLKSIZE_MIN;
	lim.windowsize_max = cfg->windowsize_max;
	/* A timeout above --max-timeout is not accepted (0 s would mean "no cap"). */
	lim.timeout_max_s = cfg->max_timeout_ms >= 1000 ? cfg->max_timeout_ms / 1000 : UINT_MAX;
	tftp_opts_negotiate(&req, &lim, p->mode, st.file->size, &st.neg);
	if (cfg->max_timeout_ms < 1000)
		st.neg.accepted &= ~(1u << TFTP_OPT_TIMEOUT);
	st.peer = from;
	st.mode = p->mode;
	st.req = r;
	if ((tid = tftp_tid_new(s->loop, local, from)) != NULL) {
		st.link = tid;
		if ((sess = tftp_session_new(&s->env, &st)) == NULL)
			tftp_tid_free(tid);
		else
			tftp_tid_attach(tid, sess);
	}
	if (sess == NULL) {
		int e = errno; /* WHO() may change it */

		s->st.refused++;
		tftp_log(TFTP_LOG_ERR, "Error: cannot start transfer of [%s] to %s: %s", served, WHO(),
		         strerror(e));
		reply_error(l->fd, from, TFTP_EUNDEF, "Server out of resources, retry later");
		tftp_file_unref(st.file);
		return NULL;
	}
	if (s->st.active > s->st.peak_active)
		s->st.peak_active = s->st.active;
	rollout_start(rollout_keep_table(s->rollout), &r->flight, name, st.file, &from->sa, time(NULL));
	if (tftp_log_enabled(TFTP_LOG_INFO))
		tftp_log(TFTP_LOG_INFO, "Serving[%s] to %s size %zu blksize %u windowsize %u, "
		         "Serving Count[%llu]", served, WHO(), st.file->size, st.neg.blksize,
		         st.neg.windowsize, (unsigned long long)s->st.active);
	return sess;
#undef WHO
}

static uint64_t
silent_ms(const struct tftp_server *s)
{
	return s->cfg->timeout_ms > SILENT_MS ? s->cfg->timeout_ms : SILENT_MS;
}

/*
 * Transfers still waiting for their first ACK have at most half of the
 * admission slots: a storm of requests from clients that have gone (or
 * were spoofed) can then never hold every slot.
 */
static int
can_start(const struct tftp_server *s)
{
	unsigned admit = s->cfg->admit;

	if (admit == 0)
		return 1;
	return s->st.active < admit && tftp_reqtab_unacked(s->reqs) < (admit > 1 ? admit / 2 : 1);
}

/*
 * Starts a request now: r is its queued entry, or NULL for one that never
 * waited. fromstr (TFTP_ADDRSTR bytes) is the client's address, or empty
 * until a log line needs it.
 */
static void
start_request(struct tftp_server *s, const struct tftp_listener *l, const union tftp_sa *from,
              const union tftp_sa *local, const struct tftp_pkt *p, char *fromstr,
              struct tftp_req *r)
{
	uint64_t now = loop_now(s->loop);
	uint32_t h = tftp_reqtab_name_hash(p->file, p->file_len);
	struct tftp_session *sess;

	if (r == NULL && (r = tftp_reqtab_add(s->reqs, from, h, now)) == NULL) {
		s->st.refused++;
		reply_error(l->fd, from, TFTP_EUNDEF, "Server out of resources, retry later");
		return;
	}
	if ((sess = start_transfer(s, l, from, local, p, fromstr, r)) == NULL) {
		tftp_reqtab_remove(s->reqs, r);
		return;
	}
	/* For a queued entry this frees its copy of the request, which p points into. */
	tftp_reqtab_run(s->reqs, r, sess, now);
}

/* Queued requests start while there is room; the oldest silent transfer makes room. */
static void
pump(struct tftp_server *s)
{
	uint64_t now = loop_now(s->loop);
	struct tftp_req *r, *u;

	while ((r = tftp_reqtab_head(s->reqs, now, &s->st.stale)) != NULL) {
		const struct tftp_listener *l = tftp_listen_get(s->listen, r->origin);
		char fromstr[TFTP_ADDRSTR] = "";
		struct tftp_pkt p;

		if (!can_start(s)) {
			u = tftp_reqtab_oldest_unacked(s->reqs);
			if (u == NULL)
				return; /* every slot is making progress: wait for one to end */
			if (now - u->since < silent_ms(s)) {
				pump_soon(s, u->since + silent_ms(s) - now);
				return;
			}
			/* Its client has been silent since it started; a waiting phone is more likely alive. */
			tftp_session_evict(u->sess);
			continue;
		}
		if (tftp_parse(r->pkt, r->len, TFTP_BLKSIZE_MAX, &p) != TFTP_P_OK) {
			tftp_reqtab_remove(s->reqs, r); /* cannot happen: it parsed when queued */
			continue;
		}
		start_request(s, l, &r->peer, &r->local, &p, fromstr, r);
	}
}

static void
on_pump(struct loop *lp, struct loop_timer *t, void *arg)
{
	(void)lp;
	(void)t;
	pump(arg);
}

static void
pump_soon(struct tftp_server *s, uint64_t ms)
{
	if (!loop_timer_armed(&s->pump) || s->pump.when > loop_now(s->loop) + ms)
		if (loop_timer_set(s->loop, &s->pump, ms) < 0)
			tftp_log(TFTP_LOG_ERR, "cannot arm the admission timer: out of memory");
}

/* ---- the session environment ---------------------------------------- */

static uint64_t
env_now(void *ctx)
{
	return loop_now(((struct tftp_server *)ctx)->loop);
}

static int
env_timer_set(void *ctx, struct loop_timer *t, uint64_t ms)
{
	return loop_timer_set(((struct tftp_server *)ctx)->loop, t, ms);
}

static void
env_timer_cancel(void *ctx, struct loop_timer *t)
{
	loop_timer_cancel(((struct tftp_server *)ctx)->loop, t);
}

static void
env_send(void *ctx, void *link, const struct tftp_dgram *d, unsigned n)
{
	(void)ctx;
	tftp_tid_send(link, d, n);
}

static void
env_acked(void *ctx, struct tftp_req *req)
{
	struct tftp_server *s = ctx;

	tftp_reqtab_acked(s->reqs, req);
	if (tftp_reqtab_queued(s->reqs) > 0)
		pump_soon(s, 0);
}

static void
env_ended(void *ctx, struct tftp_req *req, void *link, int completed)
{
	struct tftp_server *s = ctx;

	s->st.active--;
	tftp_tid_free(link);
	rollout_end(rollout_keep_table(s->rollout), &req->flight, completed, time(NULL));
	tftp_reqtab_ended(s->reqs, req, completed, loop_now(s->loop));
	/* Not from here: the caller may be in the middle of reading requests. */
	if (tftp_reqtab_queued(s->reqs) > 0)
		pump_soon(s, 0);
}

static void
on_expire(struct loop *lp, struct loop_timer *t, void *arg)
{
	struct tftp_server *s = arg;

	tftp_reqtab_expire(s->reqs, loop_now(lp));
	(void)tftp_reqtab_head(s->reqs, loop_now(lp), &s->st.stale);
	if (loop_timer_set(lp, t, EXPIRE_MS) < 0)
		tftp_log(TFTP_LOG_ERR, "cannot arm the expiry timer: out of memory");
}

/*
 * A request seen before, wherever it is: joins it and returns 1. A newer
 * request from the same client supersedes the old one: another name from
 * the same port (the client moved on), or the same name from another port
 * when the old request has not heard from its client for silent_ms()
 * (the phone gave up and asked again; a neighbour behind the same NAT that
 * is still downloading or asking for the same file is left alone).
 */
static int
join_or_supersede(struct tftp_server *s, const union tftp_sa *from, uint32_t h, char *fromstr,
                  size_t cap)
{
	uint64_t now = loop_now(s->loop);
	struct tftp_req *r = tftp_reqtab_find(s->reqs, from, h);

	if (r != NULL) {
		s->st.duplicates++;
		if (tftp_log_enabled(TFTP_LOG_DEBUG))
			tftp_log(TFTP_LOG_DEBUG, "Duplicate request from %s joins its request",
			         peer_str(from, fromstr, cap));
		tftp_reqtab_touch(r, now);
		if (r->state == TFTP_REQ_RUNNING)
			tftp_session_duplicate(r->sess);
		return 1;
	}
	while ((r = tftp_reqtab_find_port(s->reqs, from, h)) != NULL) {
		if (r->state == TFTP_REQ_RUNNING)
			tftp_session_superseded(r->sess);
		else
			tftp_reqtab_remove(s->reqs, r);
	}
	if ((r = tftp_reqtab_find_name(s->reqs, from, h)) != NULL) {
		if (r->state == TFTP_REQ_QUEUED && now - r->seen >= silent_ms(s))
			tftp_reqtab_remove(s->reqs, r);
		else if (r->state == TFTP_REQ_RUNNING && now - tftp_session_heard(r->sess) >= silent_ms(s))
			tftp_session_superseded(r->sess);
	}
	return 0;
}

/*
 * A request that cannot start yet waits in the queue. One that finds no
 * room is dropped silently and counted: the phone retransmits within a
 * second, while an ERROR "busy" would send it into a longer back-off (and a
 * forged flood would get answers). The queue and each source's share are
 * bounded, so memory is.
 */
static void
queue_request(struct tftp_server *s, const struct tftp_listener *l, const union tftp_sa *from,
              const union tftp_sa *local, uint32_t h, const uint8_t *raw, size_t n,
              char *fromstr, size_t cap)
{
	struct tftp_req *r;
	const char *why = "the queue is full";

	switch (tftp_reqtab_enqueue(s->reqs, from, local, h, raw, n, loop_now(s->loop), &r)) {
	case TFTP_ENQ_OK:
		r->origin = l->index;
		return;
	case TFTP_ENQ_SOURCE:
		why = "its address has its share of the queue";
		break;
	case TFTP_ENQ_FULL:
		break;
	case TFTP_ENQ_NOMEM:
		why = "out of memory";
		break;
	}
	s->st.dropped++;
	if (tftp_log_enabled(TFTP_LOG_DEBUG))
		tftp_log(TFTP_LOG_DEBUG, "Request from %s dropped: %s", peer_str(from, fromstr, cap), why);
}

static void
handle_rrq(struct tftp_server *s, const struct tftp_listener *l, const union tftp_sa *from,
           const union tftp_sa *local, const struct tftp_pkt *p, const uint8_t *raw, size_t n)
{
	char fromstr[TFTP_ADDRSTR] = "";
	uint32_t h = tftp_reqtab_name_hash(p->file, p->file_len);

	s->st.requests++;
	log_request(p, from, fromstr, sizeof(fromstr));
	if (join_or_supersede(s, from, h, fromstr, sizeof(fromstr)))
		return;
	if (p->mode == TFTP_MODE_MAIL) {
		s->st.malformed++;
		tftp_log(TFTP_LOG_WARN, "Malformed request from %s: mail mode",
		         peer_str(from, fromstr, sizeof(fromstr)));
		reply_error(l->fd, from, TFTP_EBADOP, "Mail mode not supported");
		return;
	}
	if (!tftp_reqtab_rate_take(s->reqs, from, loop_now(s->loop))) {
		s->st.dropped++;
		if (tftp_log_enabled(TFTP_LOG_DEBUG))
			tftp_log(TFTP_LOG_DEBUG, "Request from %s dropped: over %u new requests per second",
			         peer_str(from, fromstr, sizeof(fromstr)), s->cfg->source_rate);
		return;
	}
	if (s->st.active + tftp_reqtab_queued(s->reqs) >= s->cfg->max_transfers) {
		s->st.busy++;
		tftp_log(TFTP_LOG_WARN, "Serving Count[%llu] reached Max Serving Count[%u], refusing %s",
		         (unsigned long long)s->st.active, s->cfg->max_transfers,
		         peer_str(from, fromstr, sizeof(fromstr)));
		reply_error(l->fd, from, TFTP_EUNDEF, "Server busy (Max Serving Count reached), retry later");
		return;
	}
	if (tftp_reqtab_queued(s->reqs) == 0 && can_start(s))
		start_request(s, l, from, local, p, fromstr, NULL);
	else
		queue_request(s, l, from, local, h, raw, n, fromstr, sizeof(fromstr));
}

static void
handle_packet(struct tftp_server *s, const struct tftp_listener *l, const union tftp_sa *from,
              const union tftp_sa *local, const uint8_t *buf, size_t n, int truncated)
{
	struct tftp_pkt p;
	enum tftp_perr e = tftp_parse(buf, n, TFTP_BLKSIZE_MAX, &p);
	char fromstr[TFTP_ADDRSTR];

	if (truncated && (p.op == TFTP_RRQ || p.op == TFTP_WRQ))
		e = TFTP_P_TOO_LONG;
	if (e == TFTP_P_EMPTY || p.op == TFTP_ERROR)
		return; /* nothing to answer; never answer an ERROR with one */
	if (e == TFTP_P_OK && p.op == TFTP_RRQ) {
		handle_rrq(s, l, from, local, &p, buf, n);
		return;
	}
	tftp_addr_str(from, fromstr, sizeof(fromstr));
	if (e != TFTP_P_OK) {
		s->st.malformed++;
		if (p.op == TFTP_RRQ)
			s->st.requests++;
		tftp_log(TFTP_LOG_WARN, "Malformed request from %s: %s", fromstr, tftp_perr_str(e));
		reply_error(l->fd, from, tftp_perr_ecode(e), tftp_perr_str(e));
		return;
	}
	switch (p.op) {
	case TFTP_WRQ:
		s->st.refused++;
		tftp_log(TFTP_LOG_WARN, "Write request from %s refused: read-only server", fromstr);
		reply_error(l->fd, from, s->cfg->wrq_error, "Write not allowed: read-only server");
		return;
	case TFTP_DATA:
	case TFTP_ACK:
	case TFTP_OACK:
		/* Transfer packets belong on a transfer's port, not here. */
		s->st.malformed++;
		tftp_log(TFTP_LOG_DEBUG, "Packet %u from %s on the request port", p.op, fromstr);
		reply_error(l->fd, from, TFTP_EBADID, "Unknown transfer ID");
		return;
	case TFTP_RRQ:
	case TFTP_ERROR:
		return;
	}
}

/* ---- setup ------------------------------------------------------------ */

/* One socket per transfer: allow as many as the hard limit lets us (before any privilege drop). */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* ---- the listeners' handler ------------------------------------------ */

static void
on_wake(void *ctx)
{
	struct tftp_server *s = ctx;

	/* Changes on disk first, so a request sent after a rename gets the new file. */
	tftp_cache_poll(s->cache);
}

static void
on_packet(void *ctx, const struct tftp_listener *l, const union tftp_sa *from,
          const union tftp_sa *local, const uint8_t *buf, size_t n, int truncated)
{
	handle_packet(ctx, l, from, local, buf, n, truncated);
}

static void
on_drained(void *ctx)
{
	pump(ctx);
}

static const struct tftp_session_ops env_ops = {
	.now = env_now,
	.timer_set = env_timer_set,
	.timer_cancel = env_timer_cancel,
	.send = env_send,
	.acked = env_acked,
	.ended = env_ended,
};

struct tftp_server *
tftp_server_new(const struct tftp_config *cfg, struct loop *loop, char *err, size_t errlen)
{
	struct tftp_server *s = calloc(1, sizeof(*s));
	struct tftp_listen_handler handler = { on_wake, on_packet, on_drained, NULL };
	struct tftp_reqtab_cfg rc = {
		.queue_max = cfg->queue_max,
		.source_max = cfg->source_queue,
		.rate = cfg->source_rate,
		.max_age_ms = QUEUE_AGE_MS,
		.linger_ms = DONE_LINGER_MS,
	};

	if (s == NULL || (s->reqs = tftp_reqtab_new(&rc)) == NULL) {
		snprintf(err, errlen, "out of memory");
		tftp_server_free(s);
		return NULL;
	}
	s->cfg = cfg;
	s->loop = loop;
	s->lim.max_lifetime_s = cfg->max_lifetime_s;
	s->lim.timeout_ms = cfg->timeout_ms;
	s->lim.max_timeout_ms = cfg->max_timeout_ms;
	s->lim.retries = cfg->retries;
	s->env.ops = &env_ops;
	s->env.ctx = s;
	s->env.lim = &s->lim;
	s->env.stats = &s->st;
	handler.ctx = s;
	loop_timer_init(&s->status, on_status, s);
	loop_timer_init(&s->pump, on_pump, s);
	loop_timer_init(&s->expire, on_expire, s);
	raise_nofile();
	if ((s->listen = tftp_listen_new(loop, cfg->listen, cfg->nlisten, cfg->rcvbuf, &handler, err,
	                                 errlen)) == NULL ||
	    (cfg->http.n > 0 && (s->http = http_listen_new(loop, &cfg->http, &s->st, err, errlen)) == NULL)) {
		tftp_server_free(s);
		return NULL;
	}
	/* Before the privilege drop: the state file may be readable by root only. */
	if (!cfg->no_rollout &&
	    (s->rollout = rollout_keep_new(loop, cfg->rollout_state, cfg->rollout_forget_days, err,
	                                   errlen)) == NULL) {
		tftp_server_free(s);
		return NULL;
	}
	if (s->http != NULL)
		http_listen_set_rollout(s->http, rollout_keep_table(s->rollout));
	return s;
}

static void
on_cache_event(struct loop *l, int fd, unsigned ev, void *arg)
{
	(void)l;
	(void)fd;
	(void)ev;
	tftp_cache_poll(arg);
}

static void
on_status(struct loop *l, struct loop_timer *t, void *arg)
{
	struct tftp_server *s = arg;

	tftp_server_log_status(s);
	if (loop_timer_set(l, t, (uint64_t)s->cfg->status_interval * 1000u) < 0)
		tftp_log(TFTP_LOG_ERR, "cannot arm the status timer: out of memory; SIGUSR1 still logs it");
}

int
tftp_server_start(struct tftp_server *s, const char *root, char *err, size_t errlen)
{
	struct tftp_cache_cfg cc;
	enum tftp_cache_err ce;
	int e;

	memset(&cc, 0, sizeof(cc));
	cc.root = root;
	cc.max_file = s->cfg->max_file;
	cc.max_total = s->cfg->cache_max;
	cc.allow_hardlinks = s->cfg->allow_hardlinks;
	cc.no_inotify = s->cfg->no_inotify;
	if ((s->cache = tftp_cache_new(&cc, &ce, &e)) == NULL) {
		snprintf(err, errlen, "cannot open root %s: %s", root,
		         e != 0 ? strerror(e) : tftp_cache_errstr(ce));
		return -1;
	}
	if (tftp_cache_fd(s->cache) >= 0 &&
	    loop_add_fd(s->loop, tftp_cache_fd(s->cache), LOOP_READ, on_cache_event, s->cache) < 0) {
		snprintf(err, errlen, "cannot watch root: %s", strerror(errno));
		return -1;
	}
	if (tftp_cache_fd(s->cache) < 0)
		tftp_log(TFTP_LOG_WARN, "inotify unavailable: files are checked with stat on every request");
	/* Now, as the daemon's user and before any file is cached: a small process to copy. */
	rollout_keep_start(s->rollout);
	if (s->cfg->status_interval > 0 &&
	    loop_timer_set(s->loop, &s->status, (uint64_t)s->cfg->status_interval * 1000u) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (loop_timer_set(s->loop, &s->expire, EXPIRE_MS) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (s->http != NULL && http_listen_start(s->http, s->cache, err, errlen) < 0)
		return -1;
	return 0;
}

void
tftp_server_status(struct tftp_server *s, struct tftp_status *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->st = &s->st;
	if (s->cache != NULL)
		tftp_cache_stats(s->cache, &ss->cache);
	ss->queued = tftp_reqtab_queued(s->reqs);
	ss->unacked = tftp_reqtab_unacked(s->reqs);
	ss->http = s->http != NULL;
}

void
tftp_server_log_status(struct tftp_server *s)
{
	struct tftp_status ss;
	char line[1536];

	memset(&ss, 0, sizeof(ss));
	ss.st = &s->st;
	if (s->cache != NULL)
		tftp_cache_stats(s->cache, &ss.cache);
	ss.queued = tftp_reqtab_queued(s->reqs);
	ss.unacked = tftp_reqtab_unacked(s->reqs);
	ss.http = s->http != NULL;
	/* 22 counters (and 11 HTTP ones) of at most 20 digits and their names always fit. */
	CTL_IGNORE_RESULT(tftp_status_format(&ss, line, sizeof(line)));
	tftp_log(TFTP_LOG_NOTICE, "%s", line);
	/* SIGUSR1 also writes the rollout state at once (tests and operators wait for it). */
	rollout_keep_save(s->rollout);
}

struct rollout *
tftp_server_rollout(const struct tftp_server *s)
{
	return rollout_keep_table(s->rollout);
}

void
tftp_server_reload(struct tftp_server *s)
{
	enum tftp_cache_err e;
	int se = 0;

	if (s->cache == NULL)
		return;
	if ((e = tftp_cache_reload(s->cache, &se)) != TFTP_C_OK) {
		tftp_log(TFTP_LOG_ERR, "SIGHUP: cannot reopen root %s: %s; still serving the previous one",
		         s->cfg->root, se != 0 ? strerror(se) : tftp_cache_errstr(e));
		return;
	}
	tftp_log(TFTP_LOG_NOTICE, "SIGHUP: reloaded: root %s rescanned, cached files dropped", s->cfg->root);
}

void
tftp_server_free(struct tftp_server *s)
{
	struct tftp_req *r;

	if (s == NULL)
		return;
	if (s->reqs != NULL)
		while ((r = tftp_reqtab_any_running(s->reqs)) != NULL)
			tftp_session_abort(r->sess);
	http_listen_free(s->http);
	tftp_listen_free(s->listen);
	if (s->cache != NULL) {
		if (tftp_cache_fd(s->cache) >= 0)
			loop_del_fd(s->loop, tftp_cache_fd(s->cache));
		tftp_cache_free(s->cache);
	}
	if (s->loop != NULL) {
		loop_timer_cancel(s->loop, &s->status);
		loop_timer_cancel(s->loop, &s->pump);
		loop_timer_cancel(s->loop, &s->expire);
	}
	tftp_reqtab_free(s->reqs);
	/* After every transfer ended: the last state is written on the way out (SIGTERM). */
	rollout_keep_free(s->rollout);
	free(s);
}
