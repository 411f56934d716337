/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP-first fetch of an 88xx-family phone (phone-verifier/http_get.c)
 * and its response-head parser (http_head.c). The parser is fed heads
 * byte by byte, malformed and oversized; the client runs on a real loop
 * against a server on the same loop (a listening socket on 127.0.0.1 that
 * answers with canned bytes), with a fake TFTP fallback that records what
 * it is asked. Each case checks what reaches g->done (the file, or
 * nothing), whether the fallback ran and the lines the phone logs.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_get.h"
#include "http_head.h"
#include "testutil.h"

/* ---- the parser ------------------------------------------------------------------ */

static enum ctl_err
parse(const char *s, struct pv_http_head *h, char *why)
{
	return pv_http_head_parse((const uint8_t *)s, strlen(s), h, why, 256);
}

START_TEST(head_ok)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 4947\r\n\r\nBODY";
	struct pv_http_head h;
	char why[256];
	size_t i;

	ck_assert_int_eq(parse(ok, &h, why), CTL_OK);
	ck_assert_uint_eq(h.status, 200);
	ck_assert_int_eq(h.has_length, 1);
	ck_assert_uint_eq(h.length, 4947);
	ck_assert_int_eq(h.has_encoding, 0);
	ck_assert_uint_eq(h.head_len, strlen(ok) - 4);
	/* Every cut before the blank line asks for more bytes, none is taken as a head. */
	for (i = 0; i < strlen(ok) - 4; i++)
		ck_assert_int_eq(pv_http_head_parse((const uint8_t *)ok, i, &h, why, sizeof(why)),
		                 CTL_E_TRUNCATED);
	/* Bare LF, no reason phrase, spaces around the value, the same length twice. */
	ck_assert_int_eq(parse("HTTP/1.0 404\nContent-Length: \t 7 \nContent-Length: 7\n\n", &h, why),
	                 CTL_OK);
	ck_assert_uint_eq(h.status, 404);
	ck_assert_uint_eq(h.length, 7);
	ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\ntransfer-ENCODING: chunked\r\n\r\n", &h, why), CTL_OK);
	ck_assert_int_eq(h.has_encoding, 1);
	ck_assert_int_eq(h.has_length, 0);
	ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", &h, why), CTL_OK);
	ck_assert_int_eq(h.has_length, 1);
	ck_assert_uint_eq(h.length, 0);
	/* Whether the connection stays: HTTP/1.1 unless "close" is among the Connection tokens. */
	ck_assert_int_eq(h.keep_alive, 1);
	ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\nConnection:close\r\n\r\n", &h, why), CTL_OK);
	ck_assert_int_eq(h.keep_alive, 0);
	ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\nconnection: x-foo ,\tClose \r\n\r\n", &h, why), CTL_OK);
	ck_assert_int_eq(h.keep_alive, 0);
	ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\nConnection: closed, keep-alives\r\n\r\n", &h, why), CTL_OK);
	ck_assert_int_eq(h.keep_alive, 1);
	ck_assert_int_eq(parse("HTTP/1.0 200 OK\r\n\r\n", &h, why), CTL_OK);
	ck_assert_int_eq(h.keep_alive, 0);
	ck_assert_int_eq(parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n\r\n", &h, why), CTL_OK);
	ck_assert_int_eq(h.keep_alive, 1);
	ck_assert_int_eq(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\n\r\n", &h, why), CTL_OK);
	ck_assert_int_eq(h.keep_alive, 0);
}
END_TEST

START_TEST(head_bad)
{
	static const struct {
		const char *head, *why;
	} bad[] = {
		{ "HTTQ/1.1 200 OK\r\n\r\n", "byte 0: the status line does not start with HTTP/1." },
		{ "<html>\r\n\r\n", "byte 0: the status line" },
		{ "HTTP/2 200 OK\r\n\r\n", "byte 0: the status line" },
		{ "HTTP/1.2 200 OK\r\n\r\n", "byte 7: HTTP version" },
		{ "HTTP/1.1  200 OK\r\n\r\n", "byte 9: the status code is not three digits" },
		{ "HTTP/1.1 20 OK\r\n\r\n", "the status code is not three digits" },
		{ "HTTP/1.1 2000 OK\r\n\r\n", "byte 12: no space after the status code" },
		{ "HTTP/1.1 099 OK\r\n\r\n", "status code below 100" },
		{ "HTTP/1.1 200 O\001K\r\n\r\n", "control byte in the reason phrase" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", "byte 33: Content-Length is not a number" },
		{ "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", "Content-Length is not a number" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "Content-Length is not a number" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n", "Content-Length is not a number" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n", "Content-Length is not a number" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 5,5\r\n\r\n", "Content-Length is not a number" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 12345678901234567890\r\n\r\n", "too many digits" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
		  "byte 52: two different Content-Length values" },
		{ "HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\n\r\n", "byte 25: folded header line" },
		{ "HTTP/1.1 200 OK\r\nno-colon-here\r\n\r\n", "byte 17: header line without ':'" },
		{ "HTTP/1.1 200 OK\r\n: empty\r\n\r\n", "empty header name" },
		{ "HTTP/1.1 200 OK\r\nX A: b\r\n\r\n", "byte 18: bad byte in a header name" },
		{ "HTTP/1.1 200 OK\r\nX-A: b\001\r\n\r\n", "control byte in a header value" },
		{ "HTTP/1.1 200 OK\r\nX-A: b\rc\r\n\r\n", "control byte in a header value" },
	};
	struct pv_http_head h;
	char why[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse(bad[i].head, &h, why) == CTL_E_INVAL, "case %zu accepted", i);
		ck_assert_msg(strstr(why, bad[i].why) != NULL, "case %zu: '%s'", i, why);
		ck_assert_msg(strncmp(why, "HTTP response head, byte ", 25) == 0, "case %zu: %s", i, why);
	}
}
END_TEST

/* The head limit is exact at the byte: 8192 bytes ending in the blank line pass, 8193 do not. */
START_TEST(head_limit)
{
	static char buf[PV_HTTP_HEAD_MAX + 64];
	const char *start = "HTTP/1.1 200 OK\r\nX-Pad: ";
	struct pv_http_head h;
	size_t pad = PV_HTTP_HEAD_MAX - strlen(start) - 4;
	char why[256];

	memcpy(buf, start, strlen(start));
	memset(buf + strlen(start), 'a', pad);
	memcpy(buf + strlen(start) + pad, "\r\n\r\n", 4);
	ck_assert_int_eq(pv_http_head_parse((uint8_t *)buf, PV_HTTP_HEAD_MAX, &h, why, sizeof(why)),
	                 CTL_OK);
	ck_assert_uint_eq(h.head_len, PV_HTTP_HEAD_MAX);
	/* One byte more of padding: the end lies past the limit, whatever follows. */
	memset(buf + strlen(start), 'a', pad + 1);
	memcpy(buf + strlen(start) + pad + 1, "\r\n\r\n", 4);
	ck_assert_int_eq(pv_http_head_parse((uint8_t *)buf, PV_HTTP_HEAD_MAX - 1, &h, why, sizeof(why)),
	                 CTL_E_TRUNCATED);
	ck_assert_int_eq(pv_http_head_parse((uint8_t *)buf, sizeof(buf), &h, why, sizeof(why)),
	                 CTL_E_TOO_LARGE);
	ck_assert_str_eq(why, "HTTP response head longer than 8192 bytes");
	/* No newline at all: too large once the limit is reached. */
	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(pv_http_head_parse((uint8_t *)buf, sizeof(buf), &h, why, sizeof(why)),
	                 CTL_E_TOO_LARGE);
}
END_TEST

/* ---- the client against a server on the same loop ------------------------------------- */

struct rig {
	struct loop *loop;
	struct pv_http *http;
	union tftp_sa server;
	int lfd, cfd;
	char req[2048];
	size_t req_len;
	const char *resp;     /* canned answer, sent once the request is in */
	size_t resp_len;
	int close_after;      /* close the connection after the answer */
	int every;            /* answer every request with resp (keep-alive), not just the first */
	int accepts, requests;
	int drop_second;      /* a connection's second request: closed unanswered (an idle timeout's race) */
	int conn_requests;    /* requests on the current connection */
	char first_req[2048]; /* the first request whole (req holds the latest) */
	int fallback_rc;      /* what the fake TFTP start returns */
	int fallbacks;
	char fallback_file[128];
	int dones;
	struct tftp_result res;
	char data[64];
	char lines[16][256];
	size_t nlines;
	struct loop_timer guard;
};

static void
guard_cb(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	loop_stop(l);
}

static int
fake_tftp(void *arg, const struct tftp_get *g)
{
	struct rig *r = arg;

	r->fallbacks++;
	snprintf(r->fallback_file, sizeof(r->fallback_file), "%s", g->file);
	loop_stop(r->loop);
	if (r->fallback_rc != 0) {
		errno = EMFILE;
		return -1;
	}
	return 0;
}

static void
on_done(void *arg, const struct tftp_result *res)
{
	struct rig *r = arg;

	r->dones++;
	r->res = *res;
	if (res->err == TFTP_CE_OK && res->len < sizeof(r->data)) {
		memcpy(r->data, res->data, res->len);
		r->data[res->len] = '\0';
	}
	r->res.data = NULL;
	loop_stop(r->loop);
}

static void
on_note(void *arg, const struct tftp_get *g, enum pv_level lv, const char *fmt, va_list ap)
{
	struct rig *r = arg;
	char msg[768];

	ck_assert_int_ge(vsnprintf(msg, sizeof(msg), fmt, ap), 0);
	ck_assert_ptr_eq(g->arg, r);
	ck_assert_uint_lt(r->nlines, 16);
	snprintf(r->lines[r->nlines++], 256, "%s %.200s", lv == PV_LV_ERR ? "ERR" : lv == PV_LV_DEB ? "DEB" : "NOT",
	         msg);
}

static int
has_line(const struct rig *r, const char *text)
{
	size_t i;

	for (i = 0; i < r->nlines; i++)
		if (strstr(r->lines[i], text) != NULL)
			return 1;
	return 0;
}

static void
conn_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	struct rig *r = arg;
	ssize_t n;

	(void)events;
	n = read(fd, r->req + r->req_len, sizeof(r->req) - 1 - r->req_len);
	if (n <= 0) {
		loop_del_fd(l, fd);
		close(fd);
		r->cfd = -1;
		return;
	}
	r->req_len += (size_t)n;
	r->req[r->req_len] = '\0';
	if (strstr(r->req, "\r\n\r\n") == NULL || r->resp == NULL)
		return;
	if (r->requests++ == 0)
		memcpy(r->first_req, r->req, r->req_len + 1);
	if (r->drop_second && ++r->conn_requests == 2) {
		loop_del_fd(l, fd);
		close(fd);
		r->cfd = -1;
		return;
	}
	ck_assert_int_eq(send(fd, r->resp, r->resp_len, MSG_NOSIGNAL), (ssize_t)r->resp_len);
	if (r->every)
		r->req_len = 0; /* the next request on the same connection */
	else
		r->resp = NULL;
	if (r->close_after) {
		loop_del_fd(l, fd);
		close(fd);
		r->cfd = -1;
	}
}

static void
accept_cb(struct loop *l, int fd, unsigned events, void *arg)
{
	struct rig *r = arg;
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	(void)events;
	if (c < 0)
		return;
	r->accepts++;
	r->conn_requests = 0;
	if (r->cfd >= 0) { /* the client gave up the previous connection: the server closes it too */
		loop_del_fd(l, r->cfd);
		close(r->cfd);
	}
	r->cfd = c;
	ck_assert_int_eq(loop_add_fd(l, c, LOOP_READ, conn_cb, r), 0);
}

static void
rig_init(struct rig *r, const char *resp, int close_after, size_t max_size, unsigned deadline)
{
	struct pv_http_cfg c;
	socklen_t len = sizeof(r->server.in4);

	memset(r, 0, sizeof(*r));
	r->cfd = -1;
	r->loop = loop_new();
	ck_assert_ptr_nonnull(r->loop);
	r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(r->lfd, 0);
	r->server.in4.sin_family = AF_INET;
	r->server.in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(r->lfd, &r->server.sa, len), 0);
	ck_assert_int_eq(listen(r->lfd, 8), 0);
	ck_assert_int_eq(getsockname(r->lfd, &r->server.sa, &len), 0);
	ck_assert_int_eq(loop_add_fd(r->loop, r->lfd, LOOP_READ, accept_cb, r), 0);
	r->resp = resp;
	r->resp_len = resp != NULL ? strlen(resp) : 0;
	r->close_after = close_after;
	memset(&c, 0, sizeof(c));
	c.loop = r->loop;
	c.server = &r->server;
	c.port = tftp_addr_port(&r->server);
	c.deadline_ms = deadline;
	c.max_size = max_size;
	c.fallback = fake_tftp;
	c.fallback_arg = r;
	c.note = on_note;
	c.note_arg = r;
	r->http = pv_http_new(&c);
	ck_assert_ptr_nonnull(r->http);
	loop_timer_init(&r->guard, guard_cb, r);
}

/* A rig whose server port is closed: nobody listens there (connections refused). */
static void
rig_init_refused(struct rig *r)
{
	rig_init(r, NULL, 0, 1000, 2000);
	loop_del_fd(r->loop, r->lfd);
	close(r->lfd);
	r->lfd = socket(AF_INET, SOCK_STREAM, 0); /* a placeholder for rig_free */
	ck_assert_int_ge(r->lfd, 0);
	ck_assert_int_eq(loop_add_fd(r->loop, r->lfd, LOOP_READ, accept_cb, r), 0);
}

/* Starts the fetch of name from local (NULL: any) and runs the loop until done or the fallback. */
static void
rig_fetch_from(struct rig *r, const char *name, const union tftp_sa *local)
{
	struct tftp_get g;
	int rc;

	memset(&g, 0, sizeof(g));
	g.server = &r->server;
	g.local_addr = local;
	g.file = name;
	g.mode = TFTP_MODE_OCTET;
	g.done = on_done;
	g.arg = r;
	ck_assert_int_eq(loop_timer_set(r->loop, &r->guard, 5000), 0);
	rc = pv_http_get(r->http, &g);
	/* -1 only from a fallback that could not start, called at once (a refusal on loopback). */
	ck_assert(rc == 0 || (r->fallback_rc != 0 && r->fallbacks == 1));
	if (r->fallbacks == 0)
		ck_assert_int_eq(loop_run(r->loop), 0);
	loop_timer_cancel(r->loop, &r->guard);
}

/* Starts the fetch of name and runs the loop until done or the fallback (5 s at most). */
static void
rig_fetch(struct rig *r, const char *name)
{
	rig_fetch_from(r, name, NULL);
}

/* Runs the loop for ms: what the server sees after the client's last step. */
static void
rig_settle(struct rig *r, unsigned ms)
{
	ck_assert_int_eq(loop_timer_set(r->loop, &r->guard, ms), 0);
	ck_assert_int_eq(loop_run(r->loop), 0);
}

static void
rig_free(struct rig *r)
{
	pv_http_free(r->http);
	if (r->cfd >= 0) {
		loop_del_fd(r->loop, r->cfd);
		close(r->cfd);
	}
	loop_del_fd(r->loop, r->lfd);
	close(r->lfd);
	loop_free(r->loop);
}

static uint64_t
count_ok(const struct rig *r)
{
	uint64_t ok, fb;

	pv_http_counts(r->http, &ok, &fb);
	return ok;
}

START_TEST(get_ok)
{
	struct rig r;
	char want[256], line[128];

	rig_init(&r, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 1, 1000, 2000);
	rig_fetch(&r, "CTLSEP0011215A1AE3.tlv");
	ck_assert_int_eq(r.dones, 1);
	ck_assert_int_eq(r.fallbacks, 0);
	ck_assert_int_eq(r.res.err, TFTP_CE_OK);
	ck_assert_uint_eq(r.res.len, 5);
	ck_assert_str_eq(r.data, "hello");
	snprintf(want, sizeof(want), "GET /CTLSEP0011215A1AE3.tlv HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n",
	         tftp_addr_port(&r.server));
	ck_assert_str_eq(r.req, want);
	snprintf(line, sizeof(line), "NOT HTTP GET http://127.0.0.1:%u/CTLSEP0011215A1AE3.tlv",
	         tftp_addr_port(&r.server));
	ck_assert_str_eq(r.lines[0], line);
	ck_assert_str_eq(r.lines[1], "DEB HTTP GET /CTLSEP0011215A1AE3.tlv complete - status = 200, rcvd 5 bytes");
	ck_assert_uint_eq(r.nlines, 2);
	ck_assert_uint_eq(count_ok(&r), 1);
	rig_free(&r);
}
END_TEST

/* A keep-alive server that leaves the connection open: the file is whole, it is taken. */
START_TEST(get_ok_open)
{
	struct rig r;

	rig_init(&r, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 1000, 2000);
	rig_fetch(&r, "ITLFile.tlv");
	ck_assert_int_eq(r.dones, 1);
	ck_assert_int_eq(r.res.err, TFTP_CE_OK);
	ck_assert_uint_eq(r.res.len, 0);
	rig_free(&r);
}
END_TEST

/* A failure: the fallback asked for the same file, g->done not called by HTTP, why said. */
static void
expect_fallback(const char *resp, int close_after, size_t max_size, unsigned deadline,
                const char *why)
{
	struct rig r;
	char want[256];
	uint64_t ok, fb;

	rig_init(&r, resp, close_after, max_size, deadline);
	rig_fetch(&r, "CTLSEP0011215A1AE3.tlv");
	ck_assert_int_eq(r.fallbacks, 1);
	ck_assert_int_eq(r.dones, 0);
	ck_assert_str_eq(r.fallback_file, "CTLSEP0011215A1AE3.tlv");
	snprintf(want, sizeof(want), "ERR HTTP GET /CTLSEP0011215A1AE3.tlv failed - %s", why);
	ck_assert_msg(has_line(&r, want), "no '%s' (got '%s')", want, r.nlines > 1 ? r.lines[1] : "");
	ck_assert(has_line(&r, "NOT HTTP fallback - GETXXTP [src=CTLSEP0011215A1AE3.tlv] over TFTP"));
	ck_assert(!has_line(&r, "status = 200"));
	pv_http_counts(r.http, &ok, &fb);
	ck_assert_uint_eq(ok, 0);
	ck_assert_uint_eq(fb, 1);
	rig_free(&r);
}

START_TEST(get_fallbacks)
{
	expect_fallback("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0, 1000, 2000,
	                "HTTP status 404");
	expect_fallback("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", 1, 1000, 2000,
	                "connection closed after 5 of 10 bytes");
	expect_fallback("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nhello", 0, 1000, 2000,
	                "more bytes than Content-Length");
	expect_fallback("HTTP/1.1 200 OK\r\nContent-Length: 1001\r\n\r\n", 0, 1000, 2000,
	                "Content-Length 1001 over the 1000-byte limit");
	expect_fallback("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello", 1, 1000, 2000,
	                "no Content-Length");
	expect_fallback("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	                1, 1000, 2000, "Transfer-Encoding is not taken (Content-Length only)");
	expect_fallback("garbage\r\n\r\n", 1, 1000, 2000,
	                "HTTP response head, byte 0: the status line does not start with HTTP/1.");
	expect_fallback("HTTP/1.1 200 OK\r\nContent-Le", 1, 1000, 2000,
	                "connection closed in the response head");
	/* A server that never answers: the deadline, then TFTP. */
	expect_fallback(NULL, 0, 1000, 100, "no complete answer within 100 ms");
}
END_TEST

/* Nobody listens: refused (at once or from the loop), then TFTP. */
START_TEST(get_refused)
{
	struct rig r;

	rig_init_refused(&r);
	rig_fetch(&r, "SEP0011215A1AE3.cnf.xml.sgn");
	ck_assert_int_eq(r.fallbacks, 1);
	ck_assert_int_eq(r.dones, 0);
	ck_assert(has_line(&r, "Connection refused"));
	rig_free(&r);
}
END_TEST

/* A TFTP fallback that cannot start: g->done still comes once, as a socket failure. */
START_TEST(get_fallback_fails)
{
	struct rig r;

	rig_init(&r, "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n", 1, 1000, 2000);
	r.fallback_rc = -1;
	rig_fetch(&r, "CTLSEP0011215A1AE3.tlv");
	ck_assert_int_eq(r.fallbacks, 1);
	if (r.dones == 0) /* the fallback stopped the loop: run it to the end of the callback */
		ck_assert_int_eq(loop_run(r.loop), 0);
	ck_assert_int_eq(r.dones, 1);
	ck_assert_int_eq(r.res.err, TFTP_CE_SOCKET);
	ck_assert_msg(strstr(r.res.emsg, "cannot start the TFTP transfer: Too many open files") != NULL,
	              "%s", r.res.emsg);
	rig_free(&r);
}
END_TEST

/* Refused, then a fallback that cannot start: its -1 and errno come back from pv_http_get, no g->done. */
START_TEST(get_refused_fallback_fails)
{
	struct rig r;
	struct tftp_get g;
	int rc, e;

	rig_init_refused(&r);
	r.fallback_rc = -1;
	memset(&g, 0, sizeof(g));
	g.server = &r.server;
	g.file = "CTLSEP0011215A1AE3.tlv";
	g.done = on_done;
	g.arg = &r;
	ck_assert_int_eq(loop_timer_set(r.loop, &r.guard, 5000), 0);
	rc = pv_http_get(r.http, &g);
	e = errno;
	if (r.fallbacks == 0) /* the refusal came through the loop */
		ck_assert_int_eq(loop_run(r.loop), 0);
	ck_assert_int_eq(r.fallbacks, 1);
	if (rc != 0) {
		ck_assert_int_eq(rc, -1);
		ck_assert_int_eq(e, EMFILE);
		ck_assert_int_eq(r.dones, 0);
	} else {
		ck_assert_int_eq(r.dones, 1);
		ck_assert_int_eq(r.res.err, TFTP_CE_SOCKET);
	}
	loop_timer_cancel(r.loop, &r.guard);
	rig_free(&r);
}
END_TEST

/* Freed with an exchange in flight: no callback, nothing left (ASan checks the leak). */
START_TEST(free_in_flight)
{
	struct rig r;
	struct tftp_get g;

	rig_init(&r, NULL, 0, 1000, 2000);
	memset(&g, 0, sizeof(g));
	g.server = &r.server;
	g.file = "a b/c";
	g.done = on_done;
	g.arg = &r;
	ck_assert_int_eq(pv_http_get(r.http, &g), 0);
	ck_assert_str_eq(r.lines[0] + strlen(r.lines[0]) - strlen("/a%20b%2Fc"), "/a%20b%2Fc");
	pv_http_free(r.http);
	r.http = NULL;
	ck_assert_int_eq(r.dones, 0);
	ck_assert_int_eq(r.fallbacks, 0);
	rig_free(&r);
}
END_TEST

/* HTTP/1.1 keep-alive: a phone's three files on one connection, closed when the phone is done. */
START_TEST(keepalive_reuse)
{
	static const char *names[] = { "CTLSEP0011215A1AE3.tlv", "ITLSEP0011215A1AE3.tlv",
	                               "SEP0011215A1AE3.cnf.xml.sgn" };
	struct rig r;
	uint64_t connects, reuses;
	char want[256];
	size_t i;

	rig_init(&r, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 0, 1000, 2000);
	r.every = 1;
	for (i = 0; i < 3; i++) {
		r.dones = 0;
		rig_fetch(&r, names[i]);
		ck_assert_int_eq(r.dones, 1);
		ck_assert_int_eq(r.res.err, TFTP_CE_OK);
		ck_assert_str_eq(r.data, "hello");
	}
	ck_assert_int_eq(r.fallbacks, 0);
	ck_assert_int_eq(r.accepts, 1);
	ck_assert_int_eq(r.requests, 3);
	snprintf(want, sizeof(want), "GET /SEP0011215A1AE3.cnf.xml.sgn HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n",
	         tftp_addr_port(&r.server));
	ck_assert_str_eq(r.req, want);
	pv_http_conn_counts(r.http, &connects, &reuses);
	ck_assert_uint_eq(connects, 1);
	ck_assert_uint_eq(reuses, 2);
	/* Still open on the server's side until the phone is done. */
	rig_settle(&r, 50);
	ck_assert_int_ge(r.cfd, 0);
	pv_http_release(r.http, &r);
	rig_settle(&r, 200);
	ck_assert_int_eq(r.cfd, -1);
	rig_free(&r);
}
END_TEST

/* accepts after two fetches with the server answering resp to each. */
static int
accepts_for(const char *resp)
{
	struct rig r;
	int n;

	rig_init(&r, resp, 0, 1000, 2000);
	r.every = 1;
	rig_fetch(&r, "CTLSEP0011215A1AE3.tlv");
	rig_fetch(&r, "ITLSEP0011215A1AE3.tlv");
	ck_assert_int_eq(r.dones, 2);
	ck_assert_int_eq(r.fallbacks, 0);
	n = r.accepts;
	rig_free(&r);
	return n;
}

/* The server's word decides: "Connection: close" and HTTP/1.0 end the connection. */
START_TEST(keepalive_server_says)
{
	ck_assert_int_eq(accepts_for("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"), 1);
	ck_assert_int_eq(accepts_for("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx"), 2);
	ck_assert_int_eq(accepts_for("HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\nContent-Length: 1\r\n\r\nx"), 2);
	ck_assert_int_eq(accepts_for("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx"), 2);
	ck_assert_int_eq(accepts_for("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx"), 1);
}
END_TEST

/*
 * A server that closes a kept connection as the next request comes (its
 * idle timeout's race): the request is sent again on a fresh connection,
 * no fallback to TFTP, the file whole.
 */
START_TEST(keepalive_stale)
{
	struct rig r;
	uint64_t ok, fb;

	rig_init(&r, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 0, 1000, 2000);
	r.every = 1;
	r.drop_second = 1;
	rig_fetch(&r, "CTLSEP0011215A1AE3.tlv");
	ck_assert_int_eq(r.dones, 1);
	r.dones = 0;
	r.data[0] = '\0';
	rig_fetch(&r, "ITLSEP0011215A1AE3.tlv");
	ck_assert_int_eq(r.dones, 1);
	ck_assert_int_eq(r.res.err, TFTP_CE_OK);
	ck_assert_str_eq(r.data, "hello");
	ck_assert_int_eq(r.fallbacks, 0);
	ck_assert_int_eq(r.accepts, 2);
	ck_assert_int_eq(r.requests, 3); /* the ITL asked twice: on the dead connection, then anew */
	ck_assert(has_line(&r, "DEB HTTP GET /ITLSEP0011215A1AE3.tlv - kept-alive connection closed by the server, reconnecting"));
	pv_http_counts(r.http, &ok, &fb);
	ck_assert_uint_eq(ok, 2);
	ck_assert_uint_eq(fb, 0);
	rig_free(&r);
}
END_TEST

/* A connection is the phone's own, from its own address: another address gets another one. */
START_TEST(keepalive_own_address)
{
	union tftp_sa a2;
	struct rig r;

	memset(&a2, 0, sizeof(a2));
	a2.in4.sin_family = AF_INET;
	a2.in4.sin_addr.s_addr = htonl(0x7f000002); /* 127.0.0.2 */
	rig_init(&r, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", 0, 1000, 2000);
	r.every = 1;
	rig_fetch(&r, "CTLSEP0011215A1AE3.tlv");
	rig_fetch_from(&r, "ITLSEP0011215A1AE3.tlv", &a2);
	rig_fetch_from(&r, "SEP0011215A1AE3.cnf.xml.sgn", &a2);
	ck_assert_int_eq(r.dones, 3);
	ck_assert_int_eq(r.accepts, 2);
	ck_assert_int_eq(r.requests, 3);
	rig_free(&r);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("http_get");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, head_ok);
	tcase_add_test(tc, head_bad);
	tcase_add_test(tc, head_limit);
	tcase_add_test(tc, get_ok);
	tcase_add_test(tc, get_ok_open);
	tcase_add_test(tc, get_fallbacks);
	tcase_add_test(tc, get_refused);
	tcase_add_test(tc, get_fallback_fails);
	tcase_add_test(tc, get_refused_fallback_fails);
	tcase_add_test(tc, free_in_flight);
	tcase_add_test(tc, keepalive_reuse);
	tcase_add_test(tc, keepalive_server_says);
	tcase_add_test(tc, keepalive_stale);
	tcase_add_test(tc, keepalive_own_address);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
