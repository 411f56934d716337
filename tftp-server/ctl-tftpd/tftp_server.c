/*
 * ctl-tftpd server: listening sockets read in batches with recvmmsg(),
 * request validation, name mapping and file lookup, the Max Serving Count
 * and admission. Requests are drained from the sockets at once into the
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
#include "tftp_map.h"
#include "tftp_server.h"
#include "tftp_session.h"
#include "tftp_tid.h"

#define RX_BATCH 64
#define RX_ROUNDS 16
#define RX_BUF 1024   /* over 512 so an oversize request is seen as such */
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

struct listener {
	struct tftp_server *srv;
	int fd;
	union tftp_sa addr;
};

struct rx {
	uint8_t buf[RX_BATCH][RX_BUF];
	union tftp_sa from[RX_BATCH];
	uint8_t cmsg[RX_BATCH][CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct iovec iov[RX_BATCH];
	struct mmsghdr msg[RX_BATCH];
};

struct tftp_server {
	const struct tftp_config *cfg;
	struct loop *loop;
	struct tftp_cache *cache;
	struct listener ls[TFTP_MAX_LISTEN];
	size_t nls;
	struct tftp_reqtab *reqs;
	struct tftp_stats st;
	struct loop_timer status;
	struct loop_timer pump;     /* starts queued requests when slots free up */
	struct loop_timer expire;   /* forgets old completed requests */
	struct rx *rx;
	struct tftp_session_limits lim;
	struct tftp_session_env env;  /* what every session is created with */
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

static void
log_request(const struct tftp_pkt *p, const char *from)
{
	char name[300], opts[400];
	size_t o = 0;

	if (!tftp_log_enabled(TFTP_LOG_INFO))
		return;
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

/* ---- file resolution -------------------------------------------------- */

/*
 * Per-device trust lists, as CUCM resolves them: CTLSEP<MAC>.tlv is the
 * per-device file when it exists and is not empty, else CTLFile.tlv; the
 * same for ITLSEP/ITLFile. Other names are looked up as they are.
 */
static enum tftp_cache_err
resolve(struct tftp_server *s, const char *name, const char *from, struct tftp_file **out,
        char served[TFTP_NAME_MAX + 1])
{
	char *canon = served, mac[13];
	const char *cluster;
	const char *tag;
	enum tftp_dev_kind kind = tftp_map_device(name, canon, TFTP_NAME_MAX + 1, mac, &cluster);
	enum tftp_cache_err e;

	if (kind == TFTP_DEV_NONE) {
		snprintf(served, TFTP_NAME_MAX + 1, "%s", name);
		return tftp_cache_get(s->cache, name, out, NULL);
	}
	tag = kind == TFTP_DEV_CTL ? "HandleCTL" : "HandleITL";
	tftp_log(TFTP_LOG_INFO, "%s: [%s] is %sSEPMac.tlv file, Searching[%s] for %s", tag, name,
	         kind == TFTP_DEV_CTL ? "CTL" : "ITL", mac, from);
	e = tftp_cache_get(s->cache, canon, out, NULL);
	if (e == TFTP_C_OK && (*out)->size > 0) {
		tftp_log(TFTP_LOG_INFO, "%s: found per-device file [%s]", tag, canon);
		return e;
	}
	if (e == TFTP_C_OK) {
		tftp_file_unref(*out);
		*out = NULL;
	} else if (e != TFTP_C_NOTFOUND) {
		return e; /* served already names the per-device file */
	}
	tftp_log(TFTP_LOG_INFO, "%s: no per-device file [%s], serving [%s]", tag, canon, cluster);
	snprintf(served, TFTP_NAME_MAX + 1, "%s", cluster);
	e = tftp_cache_get(s->cache, cluster, out, NULL);
	if (e == TFTP_C_OK && (*out)->size == 0) {
		/* An empty trust list is never served (CUCM leaks on those; phones choke). */
		tftp_file_unref(*out);
		*out = NULL;
		e = TFTP_C_NOTFOUND;
	}
	return e;
}

/* ---- requests --------------------------------------------------------- */

static int set_rcvbuf(int fd, size_t want, size_t *got);
static void pump_soon(struct tftp_server *s, uint64_t ms);

/* Validates, resolves and starts one request for entry r; NULL when answered with an ERROR. */
static struct tftp_session *
start_transfer(struct tftp_server *s, struct listener *l, const union tftp_sa *from,
               const union tftp_sa *local, const struct tftp_pkt *p, const char *fromstr,
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

	if ((ne = tftp_name_check(p->file, p->file_len, name, sizeof(name))) != TFTP_N_OK) {
		s->st.refused++;
		tftp_log(TFTP_LOG_WARN, "Access denied[%s] for %s: %s",
		         esc(escd, sizeof(escd), p->file, p->file_len), fromstr, tftp_name_errstr(ne));
		reply_error(l->fd, from, TFTP_EACCESS, tftp_name_errstr(ne));
		return NULL;
	}
	if (tftp_opts_read(&p->opts, &req) != TFTP_P_OK) {
		s->st.malformed++;
		tftp_log(TFTP_LOG_WARN, "Malformed request from %s: %s", fromstr,
		         tftp_perr_str(TFTP_P_OPT_VALUE));
		reply_error(l->fd, from, TFTP_EOPTNEG, tftp_perr_str(TFTP_P_OPT_VALUE));
		return NULL;
	}
	memset(&st, 0, sizeof(st));
	if ((ce = resolve(s, name, fromstr, &st.file, served)) != TFTP_C_OK) {
		if (ce == TFTP_C_NOTFOUND) {
			s->st.notfound++;
			tftp_log(TFTP_LOG_INFO, "File not found[%s] for %s", served, fromstr);
		} else {
			s->st.refused++;
			tftp_log(TFTP_LOG_WARN, "Access denied[%s] for %s: %s", served, fromstr,
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
		s->st.refused++;
		tftp_log(TFTP_LOG_ERR, "Error: cannot start transfer of [%s] to %s: %s", served, fromstr,
		         strerror(errno));
		reply_error(l->fd, from, TFTP_EUNDEF, "Server out of resources, retry later");
		tftp_file_unref(st.file);
		return NULL;
	}
	if (s->st.active > s->st.peak_active)
		s->st.peak_active = s->st.active;
	tftp_log(TFTP_LOG_INFO, "Serving[%s] to %s size %zu blksize %u windowsize %u, Serving Count[%llu]",
	         served, fromstr, st.file->size, st.neg.blksize, st.neg.windowsize,
	         (unsigned long long)s->st.active);
	return sess;
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

/* Starts a request now: r is its queued entry, or NULL for one that never waited. */
static void
start_request(struct tftp_server *s, struct listener *l, const union tftp_sa *from,
              const union tftp_sa *local, const struct tftp_pkt *p, const char *fromstr,
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
		struct listener *l = &s->ls[r->origin];
		char fromstr[TFTP_ADDRSTR];
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
		tftp_addr_str(&r->peer, fromstr, sizeof(fromstr));
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
join_or_supersede(struct tftp_server *s, const union tftp_sa *from, uint32_t h, const char *fromstr)
{
	uint64_t now = loop_now(s->loop);
	struct tftp_req *r = tftp_reqtab_find(s->reqs, from, h);

	if (r != NULL) {
		s->st.duplicates++;
		tftp_log(TFTP_LOG_DEBUG, "Duplicate request from %s joins its request", fromstr);
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
queue_request(struct tftp_server *s, struct listener *l, const union tftp_sa *from,
              const union tftp_sa *local, uint32_t h, const uint8_t *raw, size_t n,
              const char *fromstr)
{
	struct tftp_req *r;
	const char *why = "the queue is full";

	switch (tftp_reqtab_enqueue(s->reqs, from, local, h, raw, n, loop_now(s->loop), &r)) {
	case TFTP_ENQ_OK:
		r->origin = (unsigned)(l - s->ls);
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
	tftp_log(TFTP_LOG_DEBUG, "Request from %s dropped: %s", fromstr, why);
}

static void
handle_rrq(struct tftp_server *s, struct listener *l, const union tftp_sa *from,
           const union tftp_sa *local, const struct tftp_pkt *p, const uint8_t *raw, size_t n)
{
	char fromstr[TFTP_ADDRSTR];
	uint32_t h = tftp_reqtab_name_hash(p->file, p->file_len);

	s->st.requests++;
	tftp_addr_str(from, fromstr, sizeof(fromstr));
	log_request(p, fromstr);
	if (join_or_supersede(s, from, h, fromstr))
		return;
	if (p->mode == TFTP_MODE_MAIL) {
		s->st.malformed++;
		tftp_log(TFTP_LOG_WARN, "Malformed request from %s: mail mode", fromstr);
		reply_error(l->fd, from, TFTP_EBADOP, "Mail mode not supported");
		return;
	}
	if (!tftp_reqtab_rate_take(s->reqs, from, loop_now(s->loop))) {
		s->st.dropped++;
		tftp_log(TFTP_LOG_DEBUG, "Request from %s dropped: over %u new requests per second",
		         fromstr, s->cfg->source_rate);
		return;
	}
	if (s->st.active + tftp_reqtab_queued(s->reqs) >= s->cfg->max_transfers) {
		s->st.busy++;
		tftp_log(TFTP_LOG_WARN, "Serving Count[%llu] reached Max Serving Count[%u], refusing %s",
		         (unsigned long long)s->st.active, s->cfg->max_transfers, fromstr);
		reply_error(l->fd, from, TFTP_EUNDEF, "Server busy (Max Serving Count reached), retry later");
		return;
	}
	if (tftp_reqtab_queued(s->reqs) == 0 && can_start(s))
		start_request(s, l, from, local, p, fromstr, NULL);
	else
		queue_request(s, l, from, local, h, raw, n, fromstr);
}

static void
handle_packet(struct tftp_server *s, struct listener *l, const union tftp_sa *from,
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

/* The address a datagram was sent to, from IP_PKTINFO / IPV6_PKTINFO. */
static void
local_addr(const struct listener *l, struct msghdr *mh, union tftp_sa *local)
{
	*local = l->addr;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
		    local->sa.sa_family == AF_INET) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			local->in4.sin_addr = pi.ipi_addr;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
		           local->sa.sa_family == AF_INET6) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			local->in6.sin6_addr = pi.ipi6_addr;
			local->in6.sin6_scope_id = IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr) ? pi.ipi6_ifindex : 0;
		}
	}
}

static int rx_batch(struct tftp_server *s, struct listener *l, int fd);

static void
on_listener(struct loop *lp, int fd, unsigned ev, void *arg)
{
	struct listener *l = arg;
	struct tftp_server *s = l->srv;

	(void)lp;
	(void)ev;
	/* Changes on disk first, so a request sent after a rename gets the new file. */
	tftp_cache_poll(s->cache);
	/*
	 * Up to RX_ROUNDS batches per wake, whatever the admission state:
	 * requests are drained into the queue at once, so a retransmission is
	 * matched to its request instead of piling up behind it in the socket
	 * buffer and each becoming a transfer later.
	 */
	for (int round = 0; round < RX_ROUNDS; round++)
		if (rx_batch(s, l, fd) < RX_BATCH)
			break;
	pump(s);
}

static void
rx_prep(struct rx *rx)
{
	for (int i = 0; i < RX_BATCH; i++) {
		rx->iov[i].iov_base = rx->buf[i];
		rx->iov[i].iov_len = RX_BUF;
		memset(&rx->msg[i], 0, sizeof(rx->msg[i]));
		rx->msg[i].msg_hdr.msg_name = &rx->from[i];
		rx->msg[i].msg_hdr.msg_namelen = sizeof(rx->from[i]);
		rx->msg[i].msg_hdr.msg_iov = &rx->iov[i];
		rx->msg[i].msg_hdr.msg_iovlen = 1;
		rx->msg[i].msg_hdr.msg_control = rx->cmsg[i];
		rx->msg[i].msg_hdr.msg_controllen = sizeof(rx->cmsg[i]);
	}
}

/* One recvmmsg() batch; returns the number of datagrams read. */
static int
rx_batch(struct tftp_server *s, struct listener *l, int fd)
{
	struct rx *rx = s->rx;
	int n;

	rx_prep(rx);
	n = recvmmsg(fd, rx->msg, RX_BATCH, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		union tftp_sa local;
		struct msghdr *mh = &rx->msg[i].msg_hdr;

		if (mh->msg_namelen > sizeof(rx->from[i]) ||
		    rx->from[i].sa.sa_family != l->addr.sa.sa_family)
			continue;
		local_addr(l, mh, &local);
		handle_packet(s, l, &rx->from[i], &local, rx->buf[i], rx->msg[i].msg_len,
		              (mh->msg_flags & MSG_TRUNC) != 0);
	}
	return n;
}

/* ---- setup ------------------------------------------------------------ */

static int
set_rcvbuf(int fd, size_t want, size_t *got)
{
	int v = want > (size_t)(INT32_MAX / 2) ? INT32_MAX / 2 : (int)want;
	int have = 0;
	socklen_t len = sizeof(have);

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &have, &len) == 0 && (size_t)have / 2 < want)
		/* Above net.core.rmem_max only with CAP_NET_ADMIN (SO_RCVBUFFORCE). */
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v));
	len = sizeof(have);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &have, &len) < 0)
		return -1;
	*got = (size_t)have;
	return 0;
}

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

static int
open_listener(struct tftp_server *s, const union tftp_sa *a, char *err, size_t errlen)
{
	struct listener *l = &s->ls[s->nls];
	char as[TFTP_ADDRSTR];
	socklen_t alen;
	size_t got = 0;
	int one = 1;

	tftp_addr_str(a, as, sizeof(as));
	l->srv = s;
	l->addr = *a;
	l->fd = socket(a->sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		goto fail;
	if (a->sa.sa_family == AF_INET6) {
		(void)setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		(void)setsockopt(l->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	} else {
		(void)setsockopt(l->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	}
	if (set_rcvbuf(l->fd, s->cfg->rcvbuf, &got) < 0)
		goto fail;
	/* Bind exactly what was asked, or fail loudly: never a silent wildcard. */
	if (bind(l->fd, &a->sa, tftp_addr_len(a)) < 0)
		goto fail;
	/* Port 0 binds a port the kernel picks: log the one we got. */
	alen = sizeof(l->addr);
	if (getsockname(l->fd, &l->addr.sa, &alen) < 0)
		goto fail;
	tftp_addr_str(&l->addr, as, sizeof(as));
	if (loop_add_fd(s->loop, l->fd, LOOP_READ, on_listener, l) < 0)
		goto fail;
	s->nls++;
	tftp_log(TFTP_LOG_INFO, "Listening on %s, receive buffer %zu bytes%s", as, got,
	         got / 2 < s->cfg->rcvbuf ? " (capped by net.core.rmem_max)" : "");
	return 0;
fail:
	snprintf(err, errlen, "cannot listen on %s: %s", as, strerror(errno));
	if (l->fd >= 0)
		close(l->fd);
	return -1;
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
	struct tftp_reqtab_cfg rc = {
		.queue_max = cfg->queue_max,
		.source_max = cfg->source_queue,
		.rate = cfg->source_rate,
		.max_age_ms = QUEUE_AGE_MS,
		.linger_ms = DONE_LINGER_MS,
	};

	if (s == NULL || (s->rx = calloc(1, sizeof(*s->rx))) == NULL ||
	    (s->reqs = tftp_reqtab_new(&rc)) == NULL) {
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
	loop_timer_init(&s->status, on_status, s);
	loop_timer_init(&s->pump, on_pump, s);
	loop_timer_init(&s->expire, on_expire, s);
	raise_nofile();
	for (size_t i = 0; i < cfg->nlisten; i++) {
		if (open_listener(s, &cfg->listen[i], err, errlen) < 0) {
			tftp_server_free(s);
			return NULL;
		}
	}
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
	if (s->cfg->status_interval > 0 &&
	    loop_timer_set(s->loop, &s->status, (uint64_t)s->cfg->status_interval * 1000u) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (loop_timer_set(s->loop, &s->expire, EXPIRE_MS) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void
tftp_server_log_status(struct tftp_server *s)
{
	struct tftp_cache_stats cs;

	memset(&cs, 0, sizeof(cs));
	if (s->cache != NULL)
		tftp_cache_stats(s->cache, &cs);
	tftp_log(TFTP_LOG_ERR,
	         "Status: requests %llu completed %llu failed %llu bytes %llu active %llu peak %llu "
	         "refused %llu notfound %llu busy %llu malformed %llu duplicates %llu retransmits %llu "
	         "cached %zu files %zu bytes queued %zu unacked %zu stale %llu dropped %llu "
	         "evicted %llu unreachable %llu expired %llu notimer %llu",
	         (unsigned long long)s->st.requests, (unsigned long long)s->st.completed,
	         (unsigned long long)s->st.failed, (unsigned long long)s->st.bytes,
	         (unsigned long long)s->st.active, (unsigned long long)s->st.peak_active,
	         (unsigned long long)s->st.refused, (unsigned long long)s->st.notfound,
	         (unsigned long long)s->st.busy, (unsigned long long)s->st.malformed,
	         (unsigned long long)s->st.duplicates, (unsigned long long)s->st.retransmits,
	         cs.files, cs.bytes, tftp_reqtab_queued(s->reqs), tftp_reqtab_unacked(s->reqs),
	         (unsigned long long)s->st.stale, (unsigned long long)s->st.dropped,
	         (unsigned long long)s->st.evicted, (unsigned long long)s->st.unreachable,
	         (unsigned long long)s->st.expired, (unsigned long long)s->st.notimer);
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
	tftp_log(TFTP_LOG_ERR, "SIGHUP: reloaded: root %s rescanned, cached files dropped", s->cfg->root);
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
	for (size_t i = 0; i < s->nls; i++) {
		loop_del_fd(s->loop, s->ls[i].fd);
		close(s->ls[i].fd);
	}
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
	free(s->rx);
	free(s);
}
