/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One HTTP connection (see http_conn.h). Each event runs the same steps:
 * write what is queued, read what fits, answer the complete requests while
 * the answer queue has room, then choose the events to wait for and the
 * deadline, or end. Every step ends in re-arm or close.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "ctl/text.h"
#include "http_conn.h"
#include "http_parse.h"
#include "http_resp.h"
#include "rollout.h"
#include "tftp_log.h"

/* Answers queued at once: a pipelining client waits for the first ones to go. */
#define OUTQ 4
/* The read buffer starts small (a phone's request is ~150 bytes) and grows to a head's limit. */
#define IN_START 1024
/* A lingering close discards at most this much, for at most LINGER_MS. */
#define LINGER_MS 2000
#define LINGER_BYTES (1u << 20)

enum deadline { D_NONE, D_HEADER, D_SEND, D_LINGER };

struct out {
	char head[HTTP_RESP_HEAD_MAX];
	size_t head_len;
	const uint8_t *body;
	size_t body_len;
	size_t off;               /* bytes of head + body written */
	struct tftp_file *file;   /* reference held while body points into it */
	int count_bytes;          /* body bytes are file bytes (a 200 GET) */
	struct rollout_flight *flight;   /* the rollout table's entry for it (NULL: none) */
};

struct http_conn {
	const struct http_conn_env *env;
	void *tag;
	int fd;
	union tftp_sa peer;
	char from[TFTP_ADDRSTR];
	struct loop_timer timer;
	enum deadline deadline;
	int rd_eof;      /* the client has shut its sending side */
	int closing;     /* an answer that ends the connection is queued: parse no more */
	int lingering;   /* our side is shut: discarding until EOF */
	size_t discarded;
	unsigned nout, first;
	struct out out[OUTQ];
	uint8_t *in;
	size_t in_len, in_cap;
};

static void on_event(struct loop *l, int fd, unsigned ev, void *arg);
static void on_timer(struct loop *l, struct loop_timer *t, void *arg);

void
http_conn_free(struct http_conn *c)
{
	if (c == NULL)
		return;
	loop_timer_cancel(c->env->loop, &c->timer);
	/* The accepted socket is never duplicated: closing it leaves epoll too (one call, not two). */
	loop_close_fd(c->env->loop, c->fd);
	for (unsigned i = 0; i < c->nout; i++) {
		struct out *o = &c->out[(c->first + i) % OUTQ];

		if (o->count_bytes)
			rollout_end(c->env->rollout, &o->flight, 0, time(NULL));
		tftp_file_unref(o->file);
	}
	free(c->in);
	free(c);
}

/* The end: reported to the owner, then freed. */
static void
conn_close(struct http_conn *c)
{
	const struct http_conn_env *env = c->env;
	void *tag = c->tag;

	env->st->http_active--;
	http_conn_free(c);
	env->closed(env->ctx, tag);
}

struct http_conn *
http_conn_new(const struct http_conn_env *env, int fd, const union tftp_sa *peer, void *tag)
{
	struct http_conn *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->in = malloc(IN_START)) == NULL) {
		free(c);
		close(fd);
		return NULL;
	}
	c->env = env;
	c->tag = tag;
	c->fd = fd;
	c->peer = *peer;
	c->in_cap = IN_START;
	tftp_addr_str(peer, c->from, sizeof(c->from));
	loop_timer_init(&c->timer, on_timer, c);
	if (loop_add_fd(env->loop, fd, LOOP_READ, on_event, c) < 0 ||
	    loop_timer_set(env->loop, &c->timer, env->lim->header_timeout_ms) < 0) {
		loop_del_fd(env->loop, fd);
		close(fd);
		free(c->in);
		free(c);
		return NULL;
	}
	c->deadline = D_HEADER;
	env->st->http_conns++;
	if (++env->st->http_active > env->st->http_peak)
		env->st->http_peak = env->st->http_active;
	return c;
}

/* ---- answers ------------------------------------------------------------ */

static struct out *
out_push(struct http_conn *c)
{
	struct out *o = &c->out[(c->first + c->nout++) % OUTQ];

	memset(o, 0, sizeof(*o));
	return o;
}

/* A refusal; keep_alive 0 ends the connection once it is written. */
static void
queue_error(struct http_conn *c, unsigned status, int keep_alive)
{
	struct out *o = out_push(c);
	const char *body;

	o->head_len = http_resp_error(o->head, sizeof(o->head), status, keep_alive, &body, &o->body_len);
	o->body = (const uint8_t *)body;
	if (!keep_alive)
		c->closing = 1;
}

static unsigned
refusal_status(enum tftp_cache_err e)
{
	switch (e) {
	case TFTP_C_OK: return 200;
	case TFTP_C_NOTFOUND: return 404;
	case TFTP_C_ESCAPE:
	case TFTP_C_NOTREG:
	case TFTP_C_DIR:
	case TFTP_C_PERM:
	case TFTP_C_HARDLINK:
	case TFTP_C_TOO_LARGE: return 403;
	case TFTP_C_CHANGING:
	case TFTP_C_IO:
	case TFTP_C_NOMEM:
	case TFTP_C_BUSY: return 503;
	}
	return 503;
}

/* A parsed GET or HEAD: the same name rules and lookup as a TFTP read request. */
static void
answer(struct http_conn *c, const struct http_req *rq)
{
	const struct http_conn_env *env = c->env;
	char name[TFTP_NAME_MAX + 1], served[TFTP_NAME_MAX + 1], escd[300];
	const char *m = rq->method == HTTP_M_HEAD ? "HEAD" : "GET";
	struct tftp_file *f = NULL;
	enum tftp_name_err ne = tftp_name_check(rq->path, rq->path_len, name, sizeof(name));
	enum tftp_cache_err ce = TFTP_C_OK;
	unsigned status;
	struct out *o;

	(void)ctl_text_escape(escd, sizeof(escd), rq->path, rq->path_len);
	if (ne != TFTP_N_OK) {
		env->st->http_refused++;
		tftp_log(TFTP_LOG_WARN, "HTTP %s: Access denied[%s] for %s: %s", m, escd, c->from,
		         tftp_name_errstr(ne));
		queue_error(c, 403, rq->keep_alive);
		return;
	}
	ce = env->resolve(env->ctx, name, c->from, &f, served);
	if ((status = refusal_status(ce)) != 200) {
		*(status == 404 ? &env->st->http_notfound : &env->st->http_refused) += 1;
		tftp_log(status == 404 ? TFTP_LOG_INFO : TFTP_LOG_WARN, "HTTP %s: %s[%s] for %s%s%s", m,
		         status == 404 ? "File not found" : "Access denied", served, c->from,
		         status == 404 ? "" : ": ", status == 404 ? "" : tftp_cache_errstr(ce));
		queue_error(c, status, rq->keep_alive);
		return;
	}
	env->st->http_ok++;
	tftp_log(TFTP_LOG_INFO, "HTTP %s[%s] from %s: serving [%s] size %zu", m, escd, c->from, served,
	         f->size);
	o = out_push(c);
	o->head_len = http_resp_file(o->head, sizeof(o->head), f->size, rq->keep_alive);
	if (rq->method == HTTP_M_GET) {
		o->file = f;
		o->body = f->data;
		o->body_len = f->size;
		o->count_bytes = 1;
		rollout_start(env->rollout, &o->flight, name, f, &c->peer.sa, time(NULL));
	} else {
		tftp_file_unref(f);
	}
	if (!rq->keep_alive)
		c->closing = 1;
}

/* Answers the complete requests in the buffer while the queue has room. */
static void
process(struct http_conn *c)
{
	while (!c->closing && c->nout < OUTQ && c->in_len > 0) {
		struct http_req rq;
		enum http_perr e = http_parse(c->in, c->in_len, &rq);

		if (e == HTTP_P_INCOMPLETE)
			return;
		c->env->st->http_requests++;
		if (e == HTTP_P_OK) {
			answer(c, &rq);
		} else {
			c->env->st->http_bad++;
			tftp_log(TFTP_LOG_WARN, "HTTP: malformed request from %s: %s", c->from, http_perr_str(e));
			/* After a 405 the next request's start is known; after anything else it is not. */
			queue_error(c, http_perr_status(e), e == HTTP_P_METHOD && rq.keep_alive);
			if (e != HTTP_P_METHOD)
				rq.head_len = c->in_len;
		}
		memmove(c->in, c->in + rq.head_len, c->in_len - rq.head_len);
		c->in_len -= rq.head_len;
		/* The next head's deadline runs from this answer (rearm() sets it). */
		c->deadline = D_NONE;
	}
}

/* ---- socket I/O --------------------------------------------------------- */

/* Writes what the queue holds; -1 when the connection is to be dropped. */
static int
flush(struct http_conn *c)
{
	struct iovec iov[OUTQ * 2];
	int n = 0;
	ssize_t w;

	for (unsigned i = 0; i < c->nout; i++) {
		struct out *o = &c->out[(c->first + i) % OUTQ];

		if (o->off < o->head_len)
			iov[n++] = (struct iovec){ o->head + o->off, o->head_len - o->off };
		if (o->body_len > 0 && o->off < o->head_len + o->body_len) {
			size_t b = o->off > o->head_len ? o->off - o->head_len : 0;

			iov[n++] = (struct iovec){ (void *)(o->body + b), o->body_len - b };
		}
	}
	if (n == 0)
		return 0;
	if ((w = writev(c->fd, iov, n)) < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
	if (w > 0 && c->deadline == D_SEND &&
	    loop_timer_set(c->env->loop, &c->timer, c->env->lim->send_timeout_ms) < 0)
		return -1;
	while (w > 0 && c->nout > 0) {
		struct out *o = &c->out[c->first];
		size_t left = o->head_len + o->body_len - o->off, k = (size_t)w < left ? (size_t)w : left;

		if (o->count_bytes) {
			size_t hb = o->off < o->head_len ? o->head_len - o->off : 0;

			c->env->st->http_bytes += k > hb ? k - hb : 0;
		}
		o->off += k;
		w -= (ssize_t)k;
		if (o->off < o->head_len + o->body_len)
			break;
		if (o->count_bytes)
			rollout_end(c->env->rollout, &o->flight, 1, time(NULL));
		tftp_file_unref(o->file);
		c->first = (c->first + 1) % OUTQ;
		c->nout--;
	}
	return 0;
}

/* Reads what fits; -1 when the connection is to be dropped. */
static int
fill(struct http_conn *c)
{
	ssize_t r;

	if (c->in_len == c->in_cap) {
		uint8_t *n;

		if (c->in_cap >= HTTP_HEAD_MAX)
			return 0;
		if ((n = realloc(c->in, HTTP_HEAD_MAX)) == NULL)
			return -1;
		c->in = n;
		c->in_cap = HTTP_HEAD_MAX;
	}
	r = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
	if (r == 0)
		c->rd_eof = 1;
	else if (r > 0)
		c->in_len += (size_t)r;
	else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		return -1;
	return 0;
}

/* Lingering close: what still comes is read and dropped; 1 when done. */
static int
drain(struct http_conn *c)
{
	uint8_t sink[4096];
	ssize_t r;

	while ((r = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT)) > 0) {
		c->discarded += (size_t)r;
		if (c->discarded > LINGER_BYTES)
			return 1;
	}
	return r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* ---- state -------------------------------------------------------------- */

CTL_MUST_USE static int
set_deadline(struct http_conn *c, enum deadline d, unsigned ms)
{
	if (c->deadline == d)
		return 0;
	c->deadline = d;
	return loop_timer_set(c->env->loop, &c->timer, ms);
}

/*
 * After each event: the events to wait for and the deadline, or the end.
 * Returns -1 when the connection is to be closed now.
 */
static int
rearm(struct http_conn *c)
{
	const struct http_limits *lim = c->env->lim;
	unsigned want = 0;

	if (c->rd_eof && !c->closing && c->nout < OUTQ) {
		/* The client has said all it will: what is left of a request never completes. */
		c->closing = 1;
		c->in_len = 0;
	}
	if (c->nout == 0 && c->closing) {
		if (c->rd_eof || shutdown(c->fd, SHUT_WR) < 0)
			return -1;
		c->lingering = 1;
		if (set_deadline(c, D_LINGER, LINGER_MS) < 0)
			return -1;
		return loop_mod_fd(c->env->loop, c->fd, LOOP_READ);
	}
	if (c->nout > 0) {
		want |= LOOP_WRITE;
		if (set_deadline(c, D_SEND, lim->send_timeout_ms) < 0)
			return -1;
	} else if (set_deadline(c, D_HEADER, lim->header_timeout_ms) < 0) {
		return -1;
	}
	if (!c->closing && !c->rd_eof && c->in_len < HTTP_HEAD_MAX)
		want |= LOOP_READ;
	return loop_mod_fd(c->env->loop, c->fd, want);
}

static void
on_event(struct loop *l, int fd, unsigned ev, void *arg)
{
	struct http_conn *c = arg;

	(void)l;
	(void)fd;
	if (c->lingering) {
		if (drain(c))
			conn_close(c);
		return;
	}
	if (c->nout > 0 && flush(c) < 0)
		goto drop;
	if ((ev & LOOP_READ) && !c->closing && !c->rd_eof && fill(c) < 0)
		goto drop;
	process(c);
	if (c->nout > 0 && flush(c) < 0)
		goto drop;
	process(c); /* answers written at once leave room for more pipelined ones */
	if (rearm(c) < 0)
		goto drop;
	return;
drop:
	conn_close(c);
}

static void
on_timer(struct loop *l, struct loop_timer *t, void *arg)
{
	struct http_conn *c = arg;

	(void)l;
	(void)t;
	switch (c->deadline) {
	case D_HEADER:
		if (c->in_len == 0)
			break; /* an idle keep-alive connection: closed without a word */
		c->env->st->http_timeouts++;
		tftp_log(TFTP_LOG_WARN, "HTTP: request head from %s not complete within %u ms: 408",
		         c->from, c->env->lim->header_timeout_ms);
		c->in_len = 0;
		queue_error(c, 408, 0);
		c->deadline = D_NONE;
		if (flush(c) < 0 || rearm(c) < 0)
			break;
		return;
	case D_SEND:
		c->env->st->http_timeouts++;
		tftp_log(TFTP_LOG_WARN, "HTTP: %s read nothing of its answer for %u ms: closed", c->from,
		         c->env->lim->send_timeout_ms);
		break;
	case D_LINGER:
	case D_NONE:
		break;
	}
	conn_close(c);
}
