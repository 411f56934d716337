/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TFTP client engine (see tftp_client.h). Receiver rules: RFC 1350 (ACK
 * every block; on timeout resend the last ACK or the RRQ), RFC 2347 (OACK
 * then ACK 0, or ERROR 8), RFC 7440 (ACK the last block of each window;
 * on a gap ACK the last in-order block at once). Block numbers roll over
 * modulo 2^16 like the server's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ctl/buf.h>
#include <ctl/ctl.h>
#include <ctl/text.h>

#include "tftp_client.h"

#define RX_BUF (TFTP_HDR + TFTP_BLKSIZE_MAX + 1)

enum xstate {
	X_WAIT_FIRST,  /* RRQ sent, nothing heard */
	X_RECV         /* receiving DATA */
};

struct xfer {
	struct tftp_client *c;
	struct xfer *prev, *next;
	int fd;
	struct loop_timer timer;
	union tftp_sa server;  /* request address */
	union tftp_sa tid;     /* server's transfer address, once known */
	enum xstate state;
	struct tftp_optreq asked;
	struct ctl_wr data;
	uint64_t expect;       /* next block index wanted */
	uint64_t started;
	uint64_t progress;     /* when the transfer last moved (RRQ sent, packet taken) */
	unsigned blksize, window, in_window, tries;
	int gap_acked;
	int exact_tsize;       /* octet mode: the file is exactly the announced tsize */
	struct tftp_result res;
	tftp_done_fn done;
	void *arg;
	size_t last_len;
	uint8_t last[TFTP_REQ_MAX]; /* RRQ or last ACK, resent on timeout */
};

struct tftp_client {
	struct loop *loop;
	struct tftp_client_cfg cfg;
	struct xfer *head;
	size_t active;
	uint64_t rng;
	uint8_t rx[RX_BUF];
};

const char *
tftp_cerr_str(enum tftp_cerr e)
{
	switch (e) {
	case TFTP_CE_OK: return "ok";
	case TFTP_CE_TIMEOUT: return "timeout";
	case TFTP_CE_SERVER: return "server error";
	case TFTP_CE_PROTOCOL: return "protocol error";
	case TFTP_CE_TOO_LARGE: return "file too large";
	case TFTP_CE_SOCKET: return "socket error";
	case TFTP_CE_NOMEM: return "out of memory";
	}
	return "unknown client error";
}

/* xorshift64*: reproducible loss patterns from cfg.seed. */
static unsigned
rnd100(struct tftp_client *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return (unsigned)((c->rng * 2685821657736338717ull) >> 33) % 100u;
}

struct tftp_client *
tftp_client_new(struct loop *l, const struct tftp_client_cfg *cfg)
{
	struct tftp_client *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->loop = l;
	c->cfg = *cfg;
	if (c->cfg.timeout_ms == 0)
		c->cfg.timeout_ms = 1000;
	if (c->cfg.max_size == 0)
		c->cfg.max_size = 256u << 20;
	c->rng = cfg->seed ? cfg->seed : 0x9e3779b97f4a7c15ull;
	return c;
}

static void
xfer_free(struct xfer *x)
{
	struct tftp_client *c = x->c;

	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		c->head = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	loop_timer_cancel(c->loop, &x->timer);
	/* The transfer's own socket, never duplicated: closing it leaves the epoll set. */
	loop_close_fd(c->loop, x->fd);
	ctl_wr_cleanup(&x->data);
	c->active--;
	free(x);
}

void
tftp_client_free(struct tftp_client *c)
{
	if (c == NULL)
		return;
	while (c->head != NULL)
		xfer_free(c->head);
	free(c);
}

size_t
tftp_client_active(const struct tftp_client *c)
{
	return c->active;
}

static void
finish(struct xfer *x, enum tftp_cerr e)
{
	x->res.err = e;
	x->res.ms = loop_now(x->c->loop) - x->started;
	if (e == TFTP_CE_OK) {
		x->res.data = x->data.buf;
		x->res.len = x->data.len;
	}
	x->done(x->arg, &x->res);
	xfer_free(x);
}

static const union tftp_sa *
dest(const struct xfer *x)
{
	return x->state == X_WAIT_FIRST ? &x->server : &x->tid;
}

static void
send_last(struct xfer *x)
{
	(void)sendto(x->fd, x->last, x->last_len, 0, &dest(x)->sa, tftp_addr_len(dest(x)));
}

static void
send_ack(struct xfer *x, uint64_t block)
{
	if (tftp_build_ack(x->last, sizeof(x->last), (uint16_t)block, &x->last_len) == 0)
		send_last(x);
}

static void
send_error(struct xfer *x, const union tftp_sa *to, unsigned code, const char *msg)
{
	uint8_t pkt[128];
	size_t n;

	if (tftp_build_error(pkt, sizeof(pkt), (uint16_t)code, msg, &n) == 0)
		(void)sendto(x->fd, pkt, n, 0, &to->sa, tftp_addr_len(to));
}

/* How long a transfer may go without progress before it fails. */
static uint64_t
idle_limit(const struct tftp_client *c)
{
	if (c->cfg.idle_ms != 0)
		return c->cfg.idle_ms;
	return (uint64_t)c->cfg.timeout_ms * ((uint64_t)c->cfg.retries + 1);
}

/* Marks progress and arms the next timeout: a retransmission, or the end. 0 or -1. */
CTL_MUST_USE static int
arm(struct xfer *x)
{
	struct tftp_client *c = x->c;

	x->progress = loop_now(c->loop);
	return loop_timer_set(c->loop, &x->timer, c->cfg.no_resend ? idle_limit(c) : c->cfg.timeout_ms);
}

/*
 * arm() after a packet: a transfer whose timer cannot be set would wait
 * for ever on a lost packet, so it ends (TFTP_CE_NOMEM) instead.
 */
static void
rearm(struct xfer *x)
{
	if (arm(x) < 0)
		finish(x, TFTP_CE_NOMEM);
}

static void
on_oack(struct xfer *x, const struct tftp_pkt *p)
{
	struct tftp_optreq ack;

	if (x->state == X_RECV) {
		if (x->expect == 1)
			send_ack(x, 0); /* our ACK 0 was lost: the server resent its OACK */
		return;
	}
	if (tftp_opts_read(&p->opts, &ack) != TFTP_P_OK ||
	    tftp_opts_check_oack(&x->asked, &ack, &x->res.neg) < 0) {
		send_error(x, &x->tid, TFTP_EOPTNEG, "Unacceptable OACK");
		finish(x, TFTP_CE_PROTOCOL);
		return;
	}
	if (ack.present & (1u << TFTP_OPT_TSIZE)) {
		x->res.has_tsize = 1;
		x->res.tsize = ack.val[TFTP_OPT_TSIZE];
		if (x->res.tsize > x->c->cfg.max_size) {
			send_error(x, &x->tid, TFTP_ENOSPACE, "File too large");
			finish(x, TFTP_CE_TOO_LARGE);
			return;
		}
	}
	x->blksize = x->res.neg.blksize;
	x->window = x->res.neg.windowsize;
	x->state = X_RECV;
	x->tries = 0;
	send_ack(x, 0);
	rearm(x);
}

static void
on_data(struct xfer *x, const struct tftp_pkt *p)
{
	if (x->state == X_WAIT_FIRST) {
		/* DATA without OACK: the server took none of our options (RFC 2347). */
		x->state = X_RECV;
		x->blksize = TFTP_BLKSIZE_DEF;
		x->window = 1;
		memset(&x->res.neg, 0, sizeof(x->res.neg));
		x->res.neg.blksize = TFTP_BLKSIZE_DEF;
		x->res.neg.windowsize = 1;
	}
	if (p->block != (uint16_t)x->expect) {
		/* Duplicate or gap: ACK the last in-order block (RFC 1350, RFC 7440). */
		if (x->window == 1 || !x->gap_acked) {
			x->gap_acked = 1;
			send_ack(x, x->expect - 1);
		}
		return;
	}
	if (p->data_len > x->blksize) {
		send_error(x, &x->tid, TFTP_EBADOP, "DATA larger than blksize");
		finish(x, TFTP_CE_PROTOCOL);
		return;
	}
	/* RFC 2349: the OACK announced the size; a server sending more is hostile
	 * (octet mode only: a netascii size may not count the CR added to each LF). */
	if (x->exact_tsize && x->res.has_tsize && p->data_len > x->res.tsize - x->data.len) {
		send_error(x, &x->tid, TFTP_EBADOP, "DATA beyond the announced tsize");
		finish(x, TFTP_CE_PROTOCOL);
		return;
	}
	if (ctl_wr_bytes(&x->data, p->data, p->data_len) != CTL_OK) {
		send_error(x, &x->tid, TFTP_ENOSPACE, "File too large");
		finish(x, TFTP_CE_TOO_LARGE);
		return;
	}
	x->tries = 0;
	x->gap_acked = 0;
	if (p->data_len < x->blksize) {
		send_ack(x, x->expect);
		finish(x, TFTP_CE_OK);
		return;
	}
	x->expect++;
	if (++x->in_window >= x->window) {
		x->in_window = 0;
		send_ack(x, x->expect - 1);
	}
	rearm(x);
}

static void
on_readable(struct loop *l, int fd, unsigned ev, void *arg)
{
	struct xfer *x = arg;
	struct tftp_client *c = x->c;
	union tftp_sa from;
	socklen_t flen = sizeof(from);
	struct tftp_pkt p;
	ssize_t n;

	(void)l;
	(void)ev;
	if ((n = recvfrom(fd, c->rx, sizeof(c->rx), 0, &from.sa, &flen)) < 0)
		return;
	if (x->state == X_WAIT_FIRST) {
		/* The first answer fixes the server's TID; it must come from the server's address. */
		union tftp_sa a = from;

		if (a.sa.sa_family == AF_INET6)
			a.in6.sin6_port = x->server.in6.sin6_port;
		else
			a.in4.sin_port = x->server.in4.sin_port;
		if (!tftp_addr_eq(&a, &x->server))
			return;
		x->tid = from;
	} else if (!tftp_addr_eq(&from, &x->tid)) {
		send_error(x, &from, TFTP_EBADID, "Unknown transfer ID");
		return;
	}
	if (tftp_parse(c->rx, (size_t)n, TFTP_BLKSIZE_MAX, &p) != TFTP_P_OK && p.op != TFTP_ERROR)
		return; /* unreadable: treat like a loss */
	switch (p.op) {
	case TFTP_DATA:
		if (c->cfg.loss_pct > 0 && rnd100(c) < c->cfg.loss_pct) {
			x->res.dropped++;
			return;
		}
		on_data(x, &p);
		return;
	case TFTP_OACK:
		on_oack(x, &p);
		return;
	case TFTP_ERROR:
		x->res.ecode = p.ecode;
		(void)ctl_text_escape(x->res.emsg, sizeof(x->res.emsg), p.emsg != NULL ? p.emsg : "",
		                      p.emsg != NULL ? p.emsg_len : 0);
		finish(x, TFTP_CE_SERVER);
		return;
	case TFTP_RRQ:
	case TFTP_WRQ:
	case TFTP_ACK:
		break;
	}
	send_error(x, &from, TFTP_EBADOP, "Illegal TFTP operation");
	finish(x, TFTP_CE_PROTOCOL);
}

static void
on_timeout(struct loop *l, struct loop_timer *t, void *arg)
{
	struct xfer *x = arg;

	struct tftp_client *c = x->c;
	uint64_t idle = loop_now(c->loop) - x->progress, limit = idle_limit(c);

	(void)l;
	(void)t;
	if (c->cfg.no_resend || idle >= limit || x->tries >= c->cfg.retries) {
		finish(x, TFTP_CE_TIMEOUT);
		return;
	}
	x->tries++;
	x->res.retransmits++;
	x->gap_acked = 0;
	send_last(x);
	/* Retransmission is not progress: the idle limit still counts from the last packet taken. */
	if (loop_timer_set(c->loop, &x->timer,
	                   limit - idle < c->cfg.timeout_ms ? limit - idle : c->cfg.timeout_ms) < 0)
		finish(x, TFTP_CE_NOMEM);
}

/* Builds the RRQ with the options asked for into x->last. */
CTL_MUST_USE static int
build_rrq(struct xfer *x, const struct tftp_get *g)
{
	char vals[TFTP_OPT__COUNT][24];
	struct tftp_opt opts[TFTP_OPT__COUNT];
	size_t n = 0;
	struct { enum tftp_optid id; uint64_t v; int on; } want[] = {
		{ TFTP_OPT_BLKSIZE, g->blksize, g->blksize != 0 },
		{ TFTP_OPT_TSIZE, 0, g->tsize },
		{ TFTP_OPT_TIMEOUT, g->timeout_s, g->timeout_s != 0 },
		{ TFTP_OPT_WINDOWSIZE, g->windowsize, g->windowsize != 0 },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int w;

		if (!want[i].on)
			continue;
		w = snprintf(vals[n], sizeof(vals[n]), "%llu", (unsigned long long)want[i].v);
		if (w < 0 || (size_t)w >= sizeof(vals[n]))
			return -1;
		memset(&opts[n], 0, sizeof(opts[n]));
		opts[n].name = tftp_opt_name(want[i].id);
		opts[n].value = vals[n];
		x->asked.present |= 1u << want[i].id;
		x->asked.val[want[i].id] = want[i].v;
		n++;
	}
	return tftp_build_req(x->last, sizeof(x->last), TFTP_RRQ, g->file, tftp_mode_str(g->mode),
	                      opts, n, &x->last_len);
}

CTL_MUST_USE static int
bind_local(int fd, const struct tftp_get *g)
{
	union tftp_sa a;

	if (g->local_port == 0 && g->local_addr == NULL)
		return 0;
	memset(&a, 0, sizeof(a));
	if (g->local_addr != NULL) {
		if (g->local_addr->sa.sa_family != g->server->sa.sa_family) {
			errno = EAFNOSUPPORT;
			return -1;
		}
		a = *g->local_addr;
	}
	a.sa.sa_family = g->server->sa.sa_family;
	if (a.sa.sa_family == AF_INET6)
		a.in6.sin6_port = htons((uint16_t)g->local_port);
	else
		a.in4.sin_port = htons((uint16_t)g->local_port);
	return bind(fd, &a.sa, tftp_addr_len(&a));
}

int
tftp_client_get(struct tftp_client *c, const struct tftp_get *g)
{
	struct xfer *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return -1;
	x->c = c;
	x->server = *g->server;
	x->done = g->done;
	x->arg = g->arg;
	x->expect = 1;
	x->exact_tsize = g->mode == TFTP_MODE_OCTET;
	x->blksize = TFTP_BLKSIZE_DEF;
	x->window = 1;
	x->started = loop_now(c->loop);
	x->res.neg.blksize = TFTP_BLKSIZE_DEF;
	x->res.neg.windowsize = 1;
	ctl_wr_init(&x->data, c->cfg.max_size);
	loop_timer_init(&x->timer, on_timeout, x);
	if (build_rrq(x, g) < 0) {
		free(x);
		errno = EINVAL;
		return -1;
	}
	x->fd = socket(g->server->sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (x->fd < 0 || bind_local(x->fd, g) < 0 ||
	    loop_add_fd(c->loop, x->fd, LOOP_READ, on_readable, x) < 0) {
		int e = errno;

		if (x->fd >= 0)
			close(x->fd);
		free(x);
		errno = e;
		return -1;
	}
	if (arm(x) < 0) {
		loop_del_fd(c->loop, x->fd);
		close(x->fd);
		free(x);
		errno = ENOMEM;
		return -1;
	}
	x->next = c->head;
	if (c->head != NULL)
		c->head->prev = x;
	c->head = x;
	c->active++;
	send_last(x);
	return 0;
}

int
tftp_src_range_parse(const char *s, struct tftp_src_range *r)
{
	char ip[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	unsigned long long bits;
	struct in_addr a;
	uint32_t base, size;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(ip))
		return -1;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	if (inet_pton(AF_INET, ip, &a) != 1 || ctl_parse_uint(slash + 1, 8, 32, &bits) != CTL_OK)
		return -1;
	size = bits == 32 ? 1u : 1u << (32 - bits);
	base = ntohl(a.s_addr) & ~(size - 1u);
	r->first = size >= 4 ? base + 1 : base;
	r->count = size >= 4 ? size - 2 : size;
	return 0;
}

void
tftp_src_range_addr(const struct tftp_src_range *r, uint64_t i, union tftp_sa *out)
{
	memset(out, 0, sizeof(*out));
	out->in4.sin_family = AF_INET;
	out->in4.sin_addr.s_addr = htonl(r->first + (uint32_t)(i % r->count));
}

int
tftp_src_range_probe(const struct tftp_src_range *r, union tftp_sa *bad)
{
	uint64_t probe[2] = { 0, (uint64_t)r->count - 1 };

	for (size_t i = 0; i < 2; i++) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc, e;

		tftp_src_range_addr(r, probe[i], bad);
		rc = fd >= 0 ? bind(fd, &bad->sa, tftp_addr_len(bad)) : -1;
		e = errno;
		if (fd >= 0)
			close(fd);
		if (rc < 0) {
			errno = e;
			return -1;
		}
	}
	return 0;
}
