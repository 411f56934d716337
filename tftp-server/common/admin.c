/* SPDX-License-Identifier: Apache-2.0 */
/* The admin port (see admin.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "admin.h"
#include "http_parse.h"
#include "tftp_addr.h"

struct admin_conn {
	struct admin *a;
	int fd;
	struct loop_timer deadline;  /* the head, then the answer */
	size_t in_len;
	uint8_t in[HTTP_HEAD_MAX];
	struct admin_buf out;        /* the whole answer once the head is in */
	size_t sent;
	char from[TFTP_ADDRSTR];
};

struct admin {
	struct loop *loop;
	int fd;
	struct admin_handler h;
	struct admin_conn *conns[ADMIN_MAX_CONNS];
};

static void
logf_(struct admin *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
logf_(struct admin *a, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	a->h.log(a->h.ctx, msg);
}

static void
conn_free(struct admin_conn *c)
{
	struct admin *a = c->a;

	for (size_t i = 0; i < ADMIN_MAX_CONNS; i++)
		if (a->conns[i] == c)
			a->conns[i] = NULL;
	loop_timer_cancel(a->loop, &c->deadline);
	loop_del_fd(a->loop, c->fd);
	close(c->fd);
	admin_buf_free(&c->out);
	free(c);
}

static void
on_deadline(struct loop *l, struct loop_timer *t, void *arg)
{
	struct admin_conn *c = arg;

	(void)l;
	(void)t;
	logf_(c->a, "admin: %s: %s not in time; closed", c->from,
	      c->out.len > 0 ? "answer" : "request head");
	conn_free(c);
}

static const char *
reason(unsigned status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

/* The head and (unless HEAD) body of one answer into c->out. */
static void
build_answer(struct admin_conn *c, unsigned status, const char *type, const struct admin_buf *body,
             int head_only)
{
	const char *text = body != NULL ? body->p : reason(status);
	size_t len = body != NULL ? body->len : strlen(text) + 1;

	admin_buf_printf(&c->out,
	                 "HTTP/1.1 %u %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	                 "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
	                 "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n"
	                 "%sConnection: close\r\n\r\n",
	                 status, reason(status), type, len,
	                 status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (head_only)
		return;
	if (body != NULL)
		admin_buf_add(&c->out, body->p, body->len);
	else
		admin_buf_printf(&c->out, "%s\n", text);
}

/* Renders what the request asks for into c->out. */
static void
answer(struct admin_conn *c, enum http_perr e, const struct http_req *rq)
{
	struct admin *a = c->a;
	struct admin_buf body;
	unsigned status = 200;
	const char *type = "text/plain; charset=utf-8";
	int head_only = e == HTTP_P_OK && rq->method == HTTP_M_HEAD;

	admin_buf_init(&body);
	if (e != HTTP_P_OK) {
		status = http_perr_status(e);
	} else if (strcmp(rq->path, "/") == 0) {
		a->h.page(a->h.ctx, &body);
		type = "text/html; charset=utf-8";
	} else if (strcmp(rq->path, "/metrics") == 0) {
		a->h.metrics(a->h.ctx, &body);
		type = "text/plain; version=0.0.4; charset=utf-8";
	} else {
		status = 404;
	}
	if (body.failed)
		status = 500;
	if (status != 200)
		logf_(a, "admin: %s: answered %u (%s)", c->from, status,
		      e != HTTP_P_OK ? http_perr_str(e) : status == 404 ? "no such page" : "out of memory");
	build_answer(c, status, status == 200 ? type : "text/plain; charset=utf-8",
	             status == 200 ? &body : NULL, head_only);
	admin_buf_free(&body);
}

/* Writes what is left of the answer; closes the connection when done or broken. */
static void
send_some(struct admin_conn *c)
{
	while (c->sent < c->out.len) {
		ssize_t w = send(c->fd, c->out.p + c->sent, c->out.len - c->sent, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (w <= 0) {
			conn_free(c);
			return;
		}
		c->sent += (size_t)w;
	}
	/* Answered: half-close, so the client reads to the end before the socket goes. */
	shutdown(c->fd, SHUT_WR);
	conn_free(c);
}

static void
start_answer(struct admin_conn *c, enum http_perr e, const struct http_req *rq)
{
	answer(c, e, rq);
	if (c->out.failed) {
		conn_free(c);
		return;
	}
	if (loop_timer_set(c->a->loop, &c->deadline, ADMIN_SEND_MS) < 0 ||
	    loop_mod_fd(c->a->loop, c->fd, LOOP_WRITE) < 0) {
		conn_free(c);
		return;
	}
	send_some(c);
}

static void
on_conn(struct loop *l, int fd, unsigned ev, void *arg)
{
	struct admin_conn *c = arg;
	struct http_req rq;
	enum http_perr e;
	ssize_t r;

	(void)l;
	(void)fd;
	(void)ev;
	if (c->out.len > 0) {
		/* Writable, or hung up (reported as readable): the send says which. */
		send_some(c);
		return;
	}
	if (c->in_len == sizeof(c->in)) {
		/* Unreachable: a full buffer is answered below. */
		conn_free(c);
		return;
	}
	r = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (r <= 0) {
		conn_free(c);
		return;
	}
	c->in_len += (size_t)r;
	memset(&rq, 0, sizeof(rq));
	e = http_parse(c->in, c->in_len, &rq);
	if (e == HTTP_P_INCOMPLETE && c->in_len == sizeof(c->in))
		e = HTTP_P_HEAD_TOO_LARGE;
	if (e == HTTP_P_INCOMPLETE)
		return;
	start_answer(c, e, &rq);
}

static void
on_accept(struct loop *l, int fd, unsigned ev, void *arg)
{
	struct admin *a = arg;
	union tftp_sa peer;

	(void)ev;
	for (int round = 0; round < 16; round++) {
		socklen_t len = sizeof(peer);
		int cfd = accept4(fd, &peer.sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct admin_conn *c = NULL;
		size_t slot = ADMIN_MAX_CONNS;

		if (cfd < 0)
			return;
		for (size_t i = 0; i < ADMIN_MAX_CONNS; i++)
			if (a->conns[i] == NULL) {
				slot = i;
				break;
			}
		if (slot == ADMIN_MAX_CONNS || (c = calloc(1, sizeof(*c))) == NULL) {
			char who[TFTP_ADDRSTR];

			/* Read-only and loopback: a refused client just tries again. */
			logf_(a, "admin: %s refused: %u connections open", tftp_addr_str(&peer, who, sizeof(who)),
			      ADMIN_MAX_CONNS);
			close(cfd);
			continue;
		}
		c->a = a;
		c->fd = cfd;
		tftp_addr_str(&peer, c->from, sizeof(c->from));
		admin_buf_init(&c->out);
		loop_timer_init(&c->deadline, on_deadline, c);
		if (loop_add_fd(l, cfd, LOOP_READ, on_conn, c) < 0) {
			close(cfd);
			free(c);
			continue;
		}
		a->conns[slot] = c;
		if (loop_timer_set(l, &c->deadline, ADMIN_HEADER_MS) < 0)
			conn_free(c);
	}
}

/* socket, bind, listen; the port really bound into bound. */
static int
open_port(const union tftp_sa *sa, socklen_t len, union tftp_sa *bound, char *err, size_t errlen)
{
	int one = 1, fd = socket(sa->sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	socklen_t bl = sizeof(*bound);
	char where[TFTP_ADDRSTR];

	tftp_addr_str(sa, where, sizeof(where));
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, &sa->sa, len) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, &bound->sa, &bl) < 0) {
		snprintf(err, errlen, "--admin %s: %s", where, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

struct admin *
admin_new(struct loop *l, const char *addrport, const struct admin_handler *h, char *err,
          size_t errlen)
{
	struct admin *a;
	union tftp_sa sa, bound;
	socklen_t len;
	char where[TFTP_ADDRSTR];

	if (tftp_addr_parse_listen(addrport, 0, &sa, &len) < 0 || strchr(addrport, ':') == NULL) {
		snprintf(err, errlen, "--admin: expected ADDR:PORT (numeric), got '%s'", addrport);
		return NULL;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(err, errlen, "--admin: out of memory");
		return NULL;
	}
	a->loop = l;
	a->h = *h;
	if ((a->fd = open_port(&sa, len, &bound, err, errlen)) < 0) {
		free(a);
		return NULL;
	}
	if (loop_add_fd(l, a->fd, LOOP_READ, on_accept, a) < 0) {
		snprintf(err, errlen, "--admin: %s", strerror(errno));
		close(a->fd);
		free(a);
		return NULL;
	}
	logf_(a, "listening on admin %s", tftp_addr_str(&bound, where, sizeof(where)));
	return a;
}

void
admin_free(struct admin *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < ADMIN_MAX_CONNS; i++)
		if (a->conns[i] != NULL)
			conn_free(a->conns[i]);
	loop_del_fd(a->loop, a->fd);
	close(a->fd);
	free(a);
}
