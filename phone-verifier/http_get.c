/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP first, then TFTP (http_get.h). Each exchange is a small state
 * machine on the run's loop: connect (non-blocking) or take the phone's
 * kept-alive connection (http_pool.h), send the request, read the head
 * (at most PV_HTTP_HEAD_MAX bytes, http_head.c parses it), read exactly
 * Content-Length bytes, all under one deadline. Its end is either the file
 * handed to g->done as a TFTP transfer's would be, or the TFTP transfer of
 * the same file started in its place. The loop watches connections, not
 * exchanges: a parked connection that turns readable was closed (or
 * spoken on) by the server and is dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include "http_get.h"
#include "http_head.h"
#include "http_pool.h"

/* The longest file name asked over HTTP; phones' names are at most 26 bytes. */
#define NAME_MAX_LEN 128
/*
 * Connections parked at most, all phones together: a fleet's phones in
 * flight each keep one (the default concurrency is 256); a phone that
 * never says it is done loses its connection to newer ones.
 */
#define PARKED_MAX 4096

struct xchg {
	struct pv_http *h;
	struct xchg *prev, *next;       /* in flight, freed by pv_http_free */
	struct tftp_get g;              /* the caller's request; file and local_addr point below */
	char file[NAME_MAX_LEN];
	union tftp_sa local;
	struct pv_http_conn *c;         /* the connection it runs on; NULL before and after */
	int reused;                     /* c was kept alive from the phone's previous file */
	int retried;                    /* already restarted once on a fresh connection */
	enum { X_CONNECT, X_SEND, X_HEAD, X_BODY } state;
	struct loop_timer deadline;
	uint64_t t0;
	char req[NAME_MAX_LEN * 3 + 128];
	size_t req_len, req_off;
	size_t head_len;
	int keep_alive;                 /* the head let the connection stay */
	int drained;                    /* the last read took less than it could: nothing more was there */
	uint8_t *body;
	size_t body_len, body_want;
	/* Last: not zeroed when x is made (only head_len bytes of it are ever read). */
	uint8_t head[PV_HTTP_HEAD_MAX];
};

struct pv_http {
	struct pv_http_cfg cfg;
	union tftp_sa addr;             /* the server's address, HTTP port */
	char host[TFTP_ADDRSTR];        /* its text, for Host: and the lines */
	struct xchg *live;
	struct pv_http_pool *pool;
	uint64_t ok, fallbacks, connects, reuses;
};

static void io_cb(struct loop *l, int fd, unsigned events, void *arg);

static void note(struct xchg *x, enum pv_level lv, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void
note(struct xchg *x, enum pv_level lv, const char *fmt, ...)
{
	va_list ap;

	if (x->h->cfg.note == NULL)
		return;
	va_start(ap, fmt);
	x->h->cfg.note(x->h->cfg.note_arg, &x->g, lv, fmt, ap);
	va_end(ap);
}

struct pv_http *
pv_http_new(const struct pv_http_cfg *cfg)
{
	struct pv_http *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	if ((h->pool = pv_http_pool_new(PARKED_MAX)) == NULL) {
		free(h);
		return NULL;
	}
	h->cfg = *cfg;
	h->addr = *cfg->server;
	if (h->addr.sa.sa_family == AF_INET6)
		h->addr.in6.sin6_port = htons((uint16_t)cfg->port);
	else
		h->addr.in4.sin_port = htons((uint16_t)cfg->port);
	tftp_addr_str(&h->addr, h->host, sizeof(h->host));
	return h;
}

/* ---- connections ------------------------------------------------------------------ */

/* Closes c (never duplicated: loop_close_fd spares the epoll_ctl) and frees it. */
static void
conn_close(struct pv_http *h, struct pv_http_conn *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		loop_close_fd(h->cfg.loop, c->fd);
	free(c);
}

/* Socket, bind (the phone's own address), non-blocking connect; not watched yet. */
static struct pv_http_conn *
conn_open(struct pv_http *h, const void *owner, const union tftp_sa *local, char *why, size_t cap)
{
	struct pv_http_conn *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		snprintf(why, cap, "out of memory");
		return NULL;
	}
	c->http = h;
	c->owner = owner;
	if (local != NULL)
		c->local = *local;
	c->fd = socket(h->addr.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(why, cap, "socket: %s", strerror(errno));
		goto fail;
	}
	/*
	 * The port is picked at connect(), against the whole address pair,
	 * not at bind() against every socket of the phone's address: a fleet
	 * binds thousands of these.
	 */
	if (local != NULL)
		(void)setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &(int){ 1 }, sizeof(int));
	if (local != NULL && bind(c->fd, &c->local.sa, tftp_addr_len(&c->local)) != 0) {
		snprintf(why, cap, "bind: %s", strerror(errno));
		goto fail;
	}
	if (connect(c->fd, &h->addr.sa, tftp_addr_len(&h->addr)) != 0 && errno != EINPROGRESS) {
		snprintf(why, cap, "connect to %s: %s", h->host, strerror(errno));
		goto fail;
	}
	h->connects++;
	return c;
fail:
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	return NULL;
}

/* The server closed a parked connection, or spoke unasked: it is not reused. */
static void
parked_event(struct pv_http *h, struct pv_http_conn *c)
{
	uint8_t b;
	ssize_t n = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return; /* an event meant for an earlier socket of this fd number */
	pv_http_pool_remove(h->pool, c);
	conn_close(h, c);
}

/* c answered a whole file and may stay: parked for the phone's next one. */
static void
conn_park(struct pv_http *h, struct pv_http_conn *c)
{
	c->xchg = NULL;
	c->requests++;
	conn_close(h, pv_http_pool_put(h->pool, c)); /* the oldest, when the pool was full */
}

/* ---- exchanges ------------------------------------------------------------------- */

/* Leaves the in-flight list and the deadline; x itself is freed by the caller. */
static void
x_unlink(struct xchg *x)
{
	struct pv_http *h = x->h;

	loop_timer_cancel(h->cfg.loop, &x->deadline);
	if (x->prev != NULL)
		x->prev->next = x->next;
	else if (h->live == x)
		h->live = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	x->prev = x->next = NULL;
}

/* Drops x's connection (closed, never reused after a failure). */
static void
x_drop_conn(struct xchg *x)
{
	conn_close(x->h, x->c);
	x->c = NULL;
}

static void
x_free(struct xchg *x)
{
	free(x->body);
	free(x);
}

void
pv_http_free(struct pv_http *h)
{
	struct pv_http_conn *c;

	if (h == NULL)
		return;
	while (h->live != NULL) {
		struct xchg *x = h->live;

		x_drop_conn(x);
		x_unlink(x);
		x_free(x);
	}
	while ((c = pv_http_pool_oldest(h->pool)) != NULL) {
		pv_http_pool_remove(h->pool, c);
		conn_close(h, c);
	}
	pv_http_pool_free(h->pool);
	free(h);
}

void
pv_http_release(void *arg, const void *owner)
{
	struct pv_http *h = arg;
	struct pv_http_conn *c;

	while ((c = pv_http_pool_take_owner(h->pool, owner)) != NULL)
		conn_close(h, c);
}

void
pv_http_counts(const struct pv_http *h, uint64_t *ok, uint64_t *fallbacks)
{
	*ok = h != NULL ? h->ok : 0;
	*fallbacks = h != NULL ? h->fallbacks : 0;
}

void
pv_http_conn_counts(const struct pv_http *h, uint64_t *connects, uint64_t *reuses)
{
	*connects = h != NULL ? h->connects : 0;
	*reuses = h != NULL ? h->reuses : 0;
}

/*
 * The HTTP attempt failed (why): the same file over TFTP. From the loop
 * (sync 0), a TFTP transfer that cannot start ends here as a socket
 * failure, so g->done is still called exactly once; from pv_http_get
 * (sync 1) the fallback's own result is returned instead. x is freed.
 */
static int
fall_back(struct xchg *x, const char *why, int sync)
{
	struct pv_http *h = x->h;
	struct tftp_result r;
	int rc, saved;

	x_drop_conn(x);
	x_unlink(x);
	h->fallbacks++;
	note(x, PV_LV_ERR, "HTTP GET /%s failed - %s", x->file, why);
	note(x, PV_LV_NOT, "HTTP fallback - GETXXTP [src=%s] over TFTP", x->file);
	rc = h->cfg.fallback(h->cfg.fallback_arg, &x->g);
	saved = errno;
	if (rc != 0 && !sync) {
		memset(&r, 0, sizeof(r));
		r.err = TFTP_CE_SOCKET;
		snprintf(r.emsg, sizeof(r.emsg), "cannot start the TFTP transfer: %s",
		         strerror(saved));
		r.ms = loop_now(h->cfg.loop) - x->t0;
		x->g.done(x->g.arg, &r);
		rc = 0;
	}
	x_free(x);
	errno = saved; /* the caller reports the fallback's own errno */
	return rc;
}

static void
x_fail(struct xchg *x, const char *why)
{
	CTL_IGNORE_RESULT(fall_back(x, why, 0)); /* from the loop: never fails, done was called */
}

/* Runs x on c: c watched for x's events, x's request not sent yet. */
static void
x_attach(struct xchg *x, struct pv_http_conn *c, int reused)
{
	x->c = c;
	c->xchg = x;
	x->reused = reused;
	x->state = reused ? X_SEND : X_CONNECT;
	x->req_off = 0;
	x->head_len = 0;
}

/* Sends what is left of the request; 1 when all is sent, 0 to wait, -1 when it failed. */
static int
send_req(struct xchg *x, int *err)
{
	while (x->req_off < x->req_len) {
		ssize_t n = send(x->c->fd, x->req + x->req_off, x->req_len - x->req_off,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0) {
			*err = errno;
			return -1;
		}
		x->req_off += (size_t)n;
	}
	return 1;
}

/*
 * x on a connection of its own. On loopback the handshake is often over
 * when connect() returns: the request then goes at once and the socket is
 * watched for the answer only, without waiting for writability. 0, or -1
 * with why.
 */
static int
x_connect(struct xchg *x, char *why, size_t cap)
{
	struct pv_http_conn *c = conn_open(x->h, x->g.arg, x->g.local_addr, why, cap);
	unsigned events = LOOP_WRITE;
	int r, err = 0;

	if (c == NULL)
		return -1;
	x_attach(x, c, 0);
	if ((r = send_req(x, &err)) < 0) {
		snprintf(why, cap, "connect to %s: %s", x->h->host, strerror(err));
		x_drop_conn(x);
		return -1;
	}
	if (r == 1) {
		x->state = X_HEAD;
		events = LOOP_READ;
	} else if (x->req_off > 0) {
		x->state = X_SEND; /* connected, the rest when the socket takes it */
	}
	if (loop_add_fd(x->h->cfg.loop, c->fd, events, io_cb, c) != 0) {
		snprintf(why, cap, "cannot watch the socket: %s", strerror(errno));
		x_drop_conn(x);
		return -1;
	}
	return 0;
}

/*
 * A kept-alive connection failed before the first byte of its answer: the
 * server closed it while it was parked (its idle timeout, a restart), as
 * RFC 9112 9.3.1 lets it. The request is sent again once, on a fresh
 * connection, as HTTP clients do; 1 when restarted, 0 when x is not such
 * a case (the caller fails it). On a failure to reconnect, x fails here
 * (-1).
 */
static int
x_retry_stale(struct xchg *x)
{
	char why[256];

	if (!x->reused || x->retried || x->head_len != 0)
		return 0;
	x->retried = 1;
	x_drop_conn(x);
	note(x, PV_LV_DEB, "HTTP GET /%s - kept-alive connection closed by the server, reconnecting",
	     x->file);
	if (x_connect(x, why, sizeof(why)) != 0) {
		x_fail(x, why);
		return -1;
	}
	return 1;
}

/* The whole body came: the connection parked (when it may stay), the file handed on. */
static void
x_done(struct xchg *x)
{
	struct pv_http *h = x->h;
	struct tftp_result r;

	if (x->keep_alive)
		conn_park(h, x->c);
	else
		conn_close(h, x->c);
	x->c = NULL;
	x_unlink(x);
	h->ok++;
	note(x, PV_LV_DEB, "HTTP GET /%s complete - status = 200, rcvd %zu bytes", x->file,
	     x->body_len);
	memset(&r, 0, sizeof(r));
	r.err = TFTP_CE_OK;
	r.data = x->body;
	r.len = x->body_len;
	r.ms = loop_update_now(h->cfg.loop) - x->t0;
	/* After parking: the phone's next GET, started from done, finds the connection. */
	x->g.done(x->g.arg, &r);
	x_free(x);
}

static void
deadline_cb(struct loop *l, struct loop_timer *t, void *arg)
{
	struct xchg *x = arg;
	char why[96];

	(void)l;
	(void)t;
	snprintf(why, sizeof(why), "no complete answer within %u ms", x->h->cfg.deadline_ms);
	x_fail(x, why);
}

/* The head is complete: status 200 and a Content-Length within the cap, or a failure. */
static int
take_head(struct xchg *x, const struct pv_http_head *hd)
{
	char why[160];
	size_t extra;

	if (hd->status != 200) {
		snprintf(why, sizeof(why), "HTTP status %u", hd->status);
		x_fail(x, why);
		return -1;
	}
	if (hd->has_encoding || !hd->has_length) {
		x_fail(x, hd->has_encoding ? "Transfer-Encoding is not taken (Content-Length only)"
		                           : "no Content-Length");
		return -1;
	}
	if (hd->length > x->h->cfg.max_size) {
		snprintf(why, sizeof(why), "Content-Length %llu over the %zu-byte limit",
		         (unsigned long long)hd->length, x->h->cfg.max_size);
		x_fail(x, why);
		return -1;
	}
	x->body_want = (size_t)hd->length;
	x->keep_alive = hd->keep_alive;
	if ((x->body = malloc(x->body_want ? x->body_want : 1)) == NULL) {
		x_fail(x, "out of memory");
		return -1;
	}
	extra = x->head_len - hd->head_len;
	if (extra > x->body_want) {
		x_fail(x, "more bytes than Content-Length");
		return -1;
	}
	memcpy(x->body, x->head + hd->head_len, extra);
	x->body_len = extra;
	x->state = X_BODY;
	return 0;
}

/* A connection error (errno e) while sending or reading the head: stale, or a failure. */
static void
x_conn_error(struct xchg *x, const char *doing, int e)
{
	char why[256];

	if ((e == ECONNRESET || e == EPIPE) && x_retry_stale(x) != 0)
		return;
	snprintf(why, sizeof(why), "%s: %s", doing, strerror(e));
	x_fail(x, why);
}

/* Reads what the socket holds into the head; 1 when the head is done, 0 to wait, -1 ended. */
static int
read_head(struct xchg *x)
{
	struct pv_http_head hd;
	char why[256];
	enum ctl_err e;
	ssize_t n;

	for (;;) {
		size_t room = sizeof(x->head) - x->head_len;

		if (room == 0)
			n = 0; /* full: the parser says too large below */
		else if ((n = read(x->c->fd, x->head + x->head_len, room)) < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			x_conn_error(x, "reading the answer", errno);
			return -1;
		}
		if (n == 0 && x->head_len == 0 && x_retry_stale(x) != 0)
			return -1;
		x->head_len += (size_t)n;
		x->drained = (size_t)n < room;
		e = pv_http_head_parse(x->head, x->head_len, &hd, why, sizeof(why));
		if (e == CTL_OK)
			return take_head(x, &hd) == 0 ? 1 : -1;
		if (e != CTL_E_TRUNCATED) {
			x_fail(x, why);
			return -1;
		}
		if (n == 0) {
			x_fail(x, "connection closed in the response head");
			return -1;
		}
	}
}

/*
 * Reads the body; done once Content-Length bytes came and nothing more
 * (the server closing or keeping quiet). A byte past the length, or the
 * connection closed before it, is a failure: no partial file goes on.
 * A read that took less than it asked found the socket empty: no second
 * read to hear EAGAIN (bytes the server adds later are seen on the
 * parked connection, which is then closed).
 */
static void
read_body(struct xchg *x)
{
	uint8_t buf[16384];
	char why[160];
	int eof = 0;
	ssize_t n;

	for (;;) {
		n = read(x->c->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			snprintf(why, sizeof(why), "reading the body: %s", strerror(errno));
			x_fail(x, why);
			return;
		}
		if (n == 0) {
			eof = 1;
			break;
		}
		if ((size_t)n > x->body_want - x->body_len) {
			x_fail(x, "more bytes than Content-Length");
			return;
		}
		memcpy(x->body + x->body_len, buf, (size_t)n);
		x->body_len += (size_t)n;
		if ((size_t)n < sizeof(buf))
			break;
	}
	if (x->body_len == x->body_want) {
		if (eof)
			x->keep_alive = 0; /* closed right after the body: nothing to keep */
		x_done(x);
		return;
	}
	if (eof) {
		snprintf(why, sizeof(why), "connection closed after %zu of %zu bytes", x->body_len,
		         x->body_want);
		x_fail(x, why);
	}
}

/* Sending in the loop: the request whole, then the connection watched for the answer. */
static void
x_send(struct loop *l, struct xchg *x)
{
	int r, err = 0;

	if ((r = send_req(x, &err)) < 0) {
		x_conn_error(x, "sending the request", err);
		return;
	}
	if (r == 0)
		return;
	x->state = X_HEAD;
	if (loop_mod_fd(l, x->c->fd, LOOP_READ) != 0)
		x_fail(x, "cannot watch the socket");
	/* the answer comes with the next readable event */
}

static void
io_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	struct pv_http_conn *c = arg;
	struct xchg *x = c->xchg;
	char why[160];
	int err = 0;
	socklen_t len = sizeof(err);

	if (x == NULL) {
		parked_event(c->http, c);
		return;
	}
	if (x->state == X_CONNECT) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
		if (err != 0) {
			snprintf(why, sizeof(why), "connect to %s: %s", x->h->host, strerror(err));
			x_fail(x, why);
			return;
		}
		/* Not writable yet: an event meant for an earlier socket of this fd number. */
		if (!(events & LOOP_WRITE))
			return;
		x->state = X_SEND;
	}
	if (x->state == X_SEND) {
		x_send(l, x);
		return;
	}
	if (x->state == X_HEAD && read_head(x) != 1)
		return;
	if (x->state == X_BODY && x->drained && x->body_len == x->body_want)
		x_done(x); /* the head's read took the whole body and found nothing after it */
	else if (x->state == X_BODY)
		read_body(x);
}

/* Percent-encodes name into the request target (phones' names need none; others might). */
static void
target(const char *name, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *name != '\0' && o + 4 < cap; name++) {
		unsigned char c = (unsigned char)*name;

		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    strchr("-._~", c) != NULL) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

/*
 * The request goes on the phone's kept-alive connection when it has one
 * (sent at once: the socket takes a short request whole, already watched
 * for the answer), else on a new one. 0, or -1 with why.
 */
static int
x_start(struct xchg *x, char *why, size_t cap)
{
	struct pv_http_conn *c = pv_http_pool_take(x->h->pool, x->g.arg, x->g.local_addr);
	int r, err = 0;

	if (c != NULL) {
		x->h->reuses++;
		x_attach(x, c, 1);
		if ((r = send_req(x, &err)) == 1) {
			x->state = X_HEAD;
			return 0;
		}
		if (r == 0 && loop_mod_fd(x->h->cfg.loop, c->fd, LOOP_WRITE) == 0)
			return 0; /* the rest when the socket takes it */
		x->retried = 1; /* refused at once: the one fresh try is below */
		x_drop_conn(x);
	}
	return x_connect(x, why, cap);
}

int
pv_http_get(void *arg, const struct tftp_get *g)
{
	struct pv_http *h = arg;
	char path[NAME_MAX_LEN * 3 + 1], why[256];
	struct xchg *x;
	int w;

	if (strlen(g->file) >= NAME_MAX_LEN)
		return h->cfg.fallback(h->cfg.fallback_arg, g);
	if ((x = malloc(sizeof(*x))) == NULL)
		return h->cfg.fallback(h->cfg.fallback_arg, g);
	memset(x, 0, offsetof(struct xchg, head));
	x->h = h;
	x->g = *g;
	snprintf(x->file, sizeof(x->file), "%s", g->file);
	x->g.file = x->file;
	if (g->local_addr != NULL) {
		x->local = *g->local_addr;
		x->g.local_addr = &x->local;
	}
	loop_timer_init(&x->deadline, deadline_cb, x);
	x->t0 = loop_update_now(h->cfg.loop);
	target(g->file, path, sizeof(path));
	/* HTTP/1.1 keeps the connection by default: the phone's next file comes on it. */
	w = snprintf(x->req, sizeof(x->req), "GET /%s HTTP/1.1\r\nHost: %s\r\n\r\n", path, h->host);
	x->req_len = w > 0 && (size_t)w < sizeof(x->req) ? (size_t)w : 0;
	x->next = h->live;
	if (h->live != NULL)
		h->live->prev = x;
	h->live = x;
	note(x, PV_LV_NOT, "HTTP GET http://%s/%s", h->host, path);
	if (x->req_len == 0)
		return fall_back(x, "request too long", 1);
	/* Refused at once (a closed port on loopback often is): TFTP now. */
	if (x_start(x, why, sizeof(why)) != 0)
		return fall_back(x, why, 1);
	if (loop_timer_set(h->cfg.loop, &x->deadline, h->cfg.deadline_ms) != 0)
		return fall_back(x, "cannot set the deadline", 1);
	return 0;
}

/* ---- a run's wiring ------------------------------------------------------------ */

/* The lines of an 88xx phone, numbered as its transfer (boot.c passes the phone as g->arg). */
static void
phone_note(void *arg, const struct tftp_get *g, enum pv_level lv, const char *fmt, va_list ap)
{
	struct pv_phone *ph = g->arg;
	char msg[768];

	(void)arg;
	if (ph->env->event == NULL)
		return; /* a fleet without --verbose: nobody reads the line */
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	pv_phone_line(ph, lv, "dgetfile(%u)-%s", ph->task, msg);
}

int
pv_http_setup(struct pv_env *e, unsigned port, unsigned deadline_ms, struct pv_http **out,
              char *why, size_t cap)
{
	struct pv_http_cfg c;

	*out = NULL;
	if (port == 0 || e->form != PV_FORM_88XX)
		return PV_EXIT_OK; /* a 79xx phone knows TFTP only */
	memset(&c, 0, sizeof(c));
	c.loop = e->loop;
	c.server = &e->server;
	c.port = port;
	c.deadline_ms = deadline_ms;
	c.max_size = CTL_MAX_FILE;
	c.fallback = e->get;
	c.fallback_arg = e->get_arg;
	c.note = phone_note;
	if ((*out = pv_http_new(&c)) == NULL) {
		snprintf(why, cap, "out of memory");
		return PV_EXIT_INTERNAL;
	}
	e->get = pv_http_get;
	e->get_arg = *out;
	e->get_release = pv_http_release;
	return PV_EXIT_OK;
}
