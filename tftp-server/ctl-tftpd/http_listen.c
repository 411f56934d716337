/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP listeners and connection caps (see http_listen.h). Each open
 * connection has a node here: its client address's entry in the source
 * table (a chained hash on the address without port) and its place in the
 * list freed at shutdown.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_listen.h"
#include "http_resp.h"
#include "tftp_log.h"
#include "tftp_resolve.h"

#define SRC_BUCKETS 4096u
#define ACCEPT_BATCH 64
/* Out of descriptors: the listeners rest this long instead of spinning on accept(). */
#define PAUSE_MS 100

struct src {
	union tftp_sa addr;   /* port 0 */
	unsigned n;
	struct src *next;
};

struct node {
	struct http_listen *hl;
	struct src *src;
	struct http_conn *c;
	struct node *prev, *next;
};

struct lsock {
	struct http_listen *hl;
	int fd;
	int registered;
};

struct http_listen {
	struct loop *loop;
	const struct http_config *cfg;
	struct tftp_stats *st;
	struct tftp_cache *cache;
	struct http_conn_env env;
	struct loop_timer pause;
	uint64_t last_refusal_log;
	uint64_t polled_wakeup;  /* the loop's wake-up whose disk changes were read last */
	struct node *conns;
	struct src *src[SRC_BUCKETS];
	size_t n;
	struct lsock ls[HTTP_MAX_LISTEN];
};

/* ---- the connections' environment -------------------------------------- */

static enum tftp_cache_err
env_resolve(void *ctx, const char *name, const char *from, struct tftp_file **out,
            char served[TFTP_NAME_MAX + 1])
{
	struct http_listen *hl = ctx;

	/*
	 * Changes on disk first, as for a TFTP request (whose listener reads
	 * them once per wake-up too): once per wake-up of the loop, not per
	 * request. Every change queued before the wait returned is seen; one
	 * made while the batch is being handled counts from the next batch,
	 * as if the request had come a moment earlier. Reading again for
	 * each request found nothing but cost 3 failed reads per booting
	 * phone.
	 */
	if (hl->polled_wakeup != loop_wakeups(hl->loop)) {
		hl->polled_wakeup = loop_wakeups(hl->loop);
		tftp_cache_poll(hl->cache);
	}
	return tftp_resolve(hl->cache, name, from, out, served);
}

/* An address entry with no connection left is dropped. */
static void
src_release(struct http_listen *hl, struct src *s)
{
	struct src **p = &hl->src[tftp_addr_host_hash(&s->addr) % SRC_BUCKETS];

	if (s->n > 0)
		return;
	while (*p != s)
		p = &(*p)->next;
	*p = s->next;
	free(s);
}

static void
env_closed(void *ctx, void *tag)
{
	struct http_listen *hl = ctx;
	struct node *nd = tag;

	nd->src->n--;
	src_release(hl, nd->src);
	if (nd->prev != NULL)
		nd->prev->next = nd->next;
	else
		hl->conns = nd->next;
	if (nd->next != NULL)
		nd->next->prev = nd->prev;
	free(nd);
}

/* ---- admission ----------------------------------------------------------- */

static struct src *
src_get(struct http_listen *hl, const union tftp_sa *peer)
{
	unsigned b = tftp_addr_host_hash(peer) % SRC_BUCKETS;
	struct src *s;

	for (s = hl->src[b]; s != NULL; s = s->next)
		if (tftp_addr_host_eq(&s->addr, peer))
			return s;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->addr = *peer;
	s->next = hl->src[b];
	hl->src[b] = s;
	return s;
}

/*
 * Over a cap: 503 in one non-blocking send, our side shut, what the client
 * already sent read away (so the close sends no reset over the answer),
 * closed. No state is kept for it.
 */
static void
refuse(struct http_listen *hl, int fd, const union tftp_sa *peer, const char *why)
{
	char head[HTTP_RESP_HEAD_MAX], msg[HTTP_RESP_HEAD_MAX + 64], sink[2048];
	const char *body;
	size_t bl, hlen = http_resp_error(head, sizeof(head), 503, 0, &body, &bl);
	int n = snprintf(msg, sizeof(msg), "%.*s%s", (int)hlen, head, body);
	uint64_t now = loop_now(hl->loop);

	hl->st->http_busy++;
	if (n > 0 && (size_t)n < sizeof(msg))
		(void)send(fd, msg, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)shutdown(fd, SHUT_WR);
	/* Bounded: a client that keeps sending gets its reset after 16 KiB. */
	for (int i = 0; i < 8 && recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0; i++)
		;
	close(fd);
	/* At most one line a second: a flood must not become a flood of log lines. */
	if (now - hl->last_refusal_log >= 1000 || hl->last_refusal_log == 0) {
		char as[TFTP_ADDRSTR];

		hl->last_refusal_log = now;
		tftp_log(TFTP_LOG_WARN, "HTTP: connection from %s refused with 503: %s",
		         tftp_addr_str(peer, as, sizeof(as)), why);
	}
}

static void
admit(struct http_listen *hl, int fd, const union tftp_sa *peer)
{
	struct src *s;
	struct node *nd;
	int one = 1;

	if (hl->st->http_active >= hl->cfg->max_conns) {
		refuse(hl, fd, peer, "connection cap reached");
		return;
	}
	if ((s = src_get(hl, peer)) == NULL) {
		refuse(hl, fd, peer, "out of memory");
		return;
	}
	if (s->n >= hl->cfg->source_conns) {
		refuse(hl, fd, peer, "its address has its share of connections");
		return;
	}
	if ((nd = calloc(1, sizeof(*nd))) == NULL) {
		src_release(hl, s);
		refuse(hl, fd, peer, "out of memory");
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	nd->hl = hl;
	nd->src = s;
	s->n++;
	nd->next = hl->conns;
	if (hl->conns != NULL)
		hl->conns->prev = nd;
	hl->conns = nd;
	if ((nd->c = http_conn_new(&hl->env, fd, peer, nd)) == NULL)
		env_closed(hl, nd); /* fd closed by http_conn_new */
}

/* ---- accepting ----------------------------------------------------------- */

static void
set_accepting(struct http_listen *hl, unsigned ev)
{
	for (size_t i = 0; i < hl->n; i++)
		if (loop_mod_fd(hl->loop, hl->ls[i].fd, ev) < 0)
			tftp_log(TFTP_LOG_ERR, "HTTP: cannot change the listener's events: %s", strerror(errno));
}

static void
on_pause_end(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)l;
	(void)t;
	set_accepting(arg, LOOP_READ);
}

static void
on_accept(struct loop *l, int fd, unsigned ev, void *arg)
{
	struct lsock *ls = arg;
	struct http_listen *hl = ls->hl;

	(void)l;
	(void)ev;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		union tftp_sa peer;
		socklen_t len = sizeof(peer);
		int c = accept4(fd, &peer.sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (c >= 0) {
			admit(hl, c, &peer);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			tftp_log(TFTP_LOG_ERR, "HTTP: accept: %s; pausing %u ms", strerror(errno), PAUSE_MS);
			set_accepting(hl, 0);
			if (loop_timer_set(hl->loop, &hl->pause, PAUSE_MS) < 0)
				set_accepting(hl, LOOP_READ);
		}
		return;
	}
}

CTL_MUST_USE static int
open_one(struct http_listen *hl, struct lsock *ls, const union tftp_sa *a, char *err, size_t errlen)
{
	union tftp_sa bound;
	socklen_t alen = sizeof(bound);
	char as[TFTP_ADDRSTR];
	int one = 1;

	tftp_addr_str(a, as, sizeof(as));
	ls->hl = hl;
	ls->fd = socket(a->sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ls->fd < 0)
		goto fail;
	(void)setsockopt(ls->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->sa.sa_family == AF_INET6)
		(void)setsockopt(ls->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* Bind exactly what was asked, or fail loudly. */
	if (bind(ls->fd, &a->sa, tftp_addr_len(a)) < 0 || listen(ls->fd, 4096) < 0 ||
	    getsockname(ls->fd, &bound.sa, &alen) < 0)
		goto fail;
	tftp_log(TFTP_LOG_INFO, "listening on http %s", tftp_addr_str(&bound, as, sizeof(as)));
	return 0;
fail:
	snprintf(err, errlen, "cannot listen for HTTP on %s: %s", as, strerror(errno));
	if (ls->fd >= 0)
		close(ls->fd);
	return -1;
}

struct http_listen *
http_listen_new(struct loop *l, const struct http_config *cfg, struct tftp_stats *st, char *err,
                size_t errlen)
{
	struct http_listen *hl = calloc(1, sizeof(*hl));

	if (hl == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	hl->loop = l;
	hl->cfg = cfg;
	hl->st = st;
	hl->env = (struct http_conn_env){ l, &cfg->lim, st, env_resolve, env_closed, hl, NULL };
	loop_timer_init(&hl->pause, on_pause_end, hl);
	for (size_t i = 0; i < cfg->n && i < HTTP_MAX_LISTEN; i++) {
		if (open_one(hl, &hl->ls[i], &cfg->addr[i], err, errlen) < 0) {
			http_listen_free(hl);
			return NULL;
		}
		hl->n++;
	}
	return hl;
}

int
http_listen_start(struct http_listen *hl, struct tftp_cache *cache, char *err, size_t errlen)
{
	hl->cache = cache;
	for (size_t i = 0; i < hl->n; i++) {
		if (loop_add_fd(hl->loop, hl->ls[i].fd, LOOP_READ, on_accept, &hl->ls[i]) < 0) {
			snprintf(err, errlen, "HTTP listener: %s", strerror(errno));
			return -1;
		}
		hl->ls[i].registered = 1;
	}
	return 0;
}

void
http_listen_set_rollout(struct http_listen *hl, struct rollout *r)
{
	hl->env.rollout = r;
}

void
http_listen_free(struct http_listen *hl)
{
	if (hl == NULL)
		return;
	while (hl->conns != NULL) {
		struct node *nd = hl->conns;

		http_conn_free(nd->c);
		hl->st->http_active--;
		env_closed(hl, nd);
	}
	for (size_t i = 0; i < hl->n; i++) {
		if (hl->ls[i].registered)
			loop_del_fd(hl->loop, hl->ls[i].fd);
		close(hl->ls[i].fd);
	}
	loop_timer_cancel(hl->loop, &hl->pause);
	free(hl);
}
