/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP first, then TFTP (http_get.h). Each exchange is a small state
 * machine on the run's loop: connect (non-blocking), send the request,
 * read the head (at most PV_HTTP_HEAD_MAX bytes, http_head.c parses it),
 * read exactly Content-Length bytes, all under one deadline. Its end is
 * either the file handed to g->done as a TFTP transfer's would be, or the
 * TFTP transfer of the same file started in its place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "http_get.h"
#include "http_head.h"

/* The longest file name asked over HTTP; phones' names are at most 26 bytes. */
#define NAME_MAX_LEN 128

struct xchg {
	struct pv_http *h;
	struct xchg *prev, *next;       /* in flight, freed by pv_http_free */
	struct tftp_get g;              /* the caller's request; file and local_addr point below */
	char file[NAME_MAX_LEN];
	union tftp_sa local;
	int fd;
	int registered;
	enum { X_CONNECT, X_SEND, X_HEAD, X_BODY } state;
	struct loop_timer deadline;
	uint64_t t0;
	char req[NAME_MAX_LEN * 3 + 128];
	size_t req_len, req_off;
	uint8_t head[PV_HTTP_HEAD_MAX];
	size_t head_len;
	uint8_t *body;
	size_t body_len, body_want;
};

struct pv_http {
	struct pv_http_cfg cfg;
	union tftp_sa addr;             /* the server's address, HTTP port */
	char host[TFTP_ADDRSTR];        /* its text, for Host: and the lines */
	struct xchg *live;
	uint64_t ok, fallbacks;
};

static void note(struct xchg *x, enum pv_level lv, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void
note(struct xchg *x, enum pv_level lv, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	if (x->h->cfg.note == NULL)
		return;
	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	x->h->cfg.note(x->h->cfg.note_arg, &x->g, lv, msg);
}

struct pv_http *
pv_http_new(const struct pv_http_cfg *cfg)
{
	struct pv_http *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->cfg = *cfg;
	h->addr = *cfg->server;
	if (h->addr.sa.sa_family == AF_INET6)
		h->addr.in6.sin6_port = htons((uint16_t)cfg->port);
	else
		h->addr.in4.sin_port = htons((uint16_t)cfg->port);
	tftp_addr_str(&h->addr, h->host, sizeof(h->host));
	return h;
}

/* Closes the socket and leaves the in-flight list; x itself is freed by the caller. */
static void
x_close(struct xchg *x)
{
	struct pv_http *h = x->h;

	loop_timer_cancel(h->cfg.loop, &x->deadline);
	if (x->fd >= 0) {
		if (x->registered)
			loop_del_fd(h->cfg.loop, x->fd);
		close(x->fd);
		x->fd = -1;
	}
	if (x->prev != NULL)
		x->prev->next = x->next;
	else if (h->live == x)
		h->live = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	x->prev = x->next = NULL;
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
	if (h == NULL)
		return;
	while (h->live != NULL) {
		struct xchg *x = h->live;

		x_close(x);
		x_free(x);
	}
	free(h);
}

void
pv_http_counts(const struct pv_http *h, uint64_t *ok, uint64_t *fallbacks)
{
	*ok = h != NULL ? h->ok : 0;
	*fallbacks = h != NULL ? h->fallbacks : 0;
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

	x_close(x);
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

/* The whole body came: handed on as a TFTP transfer's file would be. */
static void
x_done(struct xchg *x)
{
	struct pv_http *h = x->h;
	struct tftp_result r;

	x_close(x);
	h->ok++;
	note(x, PV_LV_DEB, "HTTP GET /%s complete - status = 200, rcvd %zu bytes", x->file,
	     x->body_len);
	memset(&r, 0, sizeof(r));
	r.err = TFTP_CE_OK;
	r.data = x->body;
	r.len = x->body_len;
	r.ms = loop_update_now(h->cfg.loop) - x->t0;
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

/* Reads what the socket holds into the head; 1 when the head is done, 0 to wait, -1 ended. */
static int
read_head(struct xchg *x)
{
	struct pv_http_head hd;
	char why[256];
	enum ctl_err e;
	ssize_t n;

	for (;;) {
		if (x->head_len == sizeof(x->head))
			n = 0; /* full: the parser says too large below */
		else if ((n = read(x->fd, x->head + x->head_len, sizeof(x->head) - x->head_len)) < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			snprintf(why, sizeof(why), "reading the answer: %s", strerror(errno));
			x_fail(x, why);
			return -1;
		}
		x->head_len += (size_t)n;
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
 */
static void
read_body(struct xchg *x)
{
	uint8_t buf[16384];
	char why[160];
	int eof = 0;
	ssize_t n;

	for (;;) {
		n = read(x->fd, buf, sizeof(buf));
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
	}
	if (x->body_len == x->body_want) {
		x_done(x);
		return;
	}
	if (eof) {
		snprintf(why, sizeof(why), "connection closed after %zu of %zu bytes", x->body_len,
		         x->body_want);
		x_fail(x, why);
	}
}

/* Sends what is left of the request; 1 when all is sent, 0 to wait, -1 ended. */
static int
send_req(struct xchg *x)
{
	char why[160];

	while (x->req_off < x->req_len) {
		ssize_t n = send(x->fd, x->req + x->req_off, x->req_len - x->req_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0) {
			snprintf(why, sizeof(why), "sending the request: %s", strerror(errno));
			x_fail(x, why);
			return -1;
		}
		x->req_off += (size_t)n;
	}
	return 1;
}

static void
io_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	struct xchg *x = arg;
	char why[160];
	int err = 0, r;
	socklen_t len = sizeof(err);

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
		if ((r = send_req(x)) <= 0)
			return;
		x->state = X_HEAD;
		if (loop_mod_fd(l, fd, LOOP_READ) != 0) {
			x_fail(x, "cannot watch the socket");
			return;
		}
		return; /* the answer comes with the next readable event */
	}
	if (x->state == X_HEAD && read_head(x) != 1)
		return;
	if (x->state == X_BODY)
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

/* Socket, bind (the phone's own address), non-blocking connect. 0, or -1 with why. */
static int
x_start(struct xchg *x, char *why, size_t cap)
{
	struct pv_http *h = x->h;
	int fd;

	fd = socket(h->addr.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, cap, "socket: %s", strerror(errno));
		return -1;
	}
	x->fd = fd;
	if (x->g.local_addr != NULL &&
	    bind(fd, &x->local.sa, tftp_addr_len(&x->local)) != 0) {
		snprintf(why, cap, "bind: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, &h->addr.sa, tftp_addr_len(&h->addr)) != 0 && errno != EINPROGRESS) {
		snprintf(why, cap, "connect to %s: %s", h->host, strerror(errno));
		return -1;
	}
	if (loop_add_fd(h->cfg.loop, fd, LOOP_WRITE, io_cb, x) != 0) {
		snprintf(why, cap, "cannot watch the socket: %s", strerror(errno));
		return -1;
	}
	x->registered = 1;
	if (loop_timer_set(h->cfg.loop, &x->deadline, h->cfg.deadline_ms) != 0) {
		snprintf(why, cap, "cannot set the deadline");
		return -1;
	}
	return 0;
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
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return h->cfg.fallback(h->cfg.fallback_arg, g);
	x->h = h;
	x->fd = -1;
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
	w = snprintf(x->req, sizeof(x->req),
	             "GET /%s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, h->host);
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
	return 0;
}

/* ---- a run's wiring ------------------------------------------------------------ */

/* The lines of an 88xx phone, numbered as its transfer (boot.c passes the phone as g->arg). */
static void
phone_note(void *arg, const struct tftp_get *g, enum pv_level lv, const char *msg)
{
	struct pv_phone *ph = g->arg;

	(void)arg;
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
	return PV_EXIT_OK;
}
