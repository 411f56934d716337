/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One HTTP connection (tftp-server/ctl-tftpd/http_conn.c) on a real event
 * loop over a socketpair, resolving names in a real cache: pipelined
 * requests answered in order, a large body written through partial writes
 * byte-exact, the header deadline not extended by trickled bytes (408, then
 * closed), HTTP/1.0 closed after its answer, EOF in the middle of a head,
 * and a reader that never reads closed at the send deadline.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http_conn.h"
#include "tftp_log.h"
#include "tftp_resolve.h"
#include "testutil.h"

#define BIG (2u << 20)

struct fix {
	char root[512];
	struct tftp_cache *cache;
	struct loop *loop;
	struct loop_timer stop;
	struct http_limits lim;
	struct tftp_stats st;
	struct http_conn_env env;
	struct http_conn *conn;
	int closed;
	int peer;           /* the client's end */
	uint8_t *big;
};

static enum tftp_cache_err
fx_resolve(void *ctx, const char *name, const char *from, struct tftp_file **out,
           char served[TFTP_NAME_MAX + 1])
{
	struct fix *f = ctx;

	return tftp_resolve(f->cache, name, from, out, served);
}

static void
fx_closed(void *ctx, void *tag)
{
	struct fix *f = ctx;

	ck_assert_ptr_eq(tag, f);
	f->closed++;
	f->conn = NULL;
}

static void
on_stop(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	loop_stop(l);
}

static void
put(struct fix *f, const char *name, const uint8_t *p, size_t n)
{
	char path[600];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->root, name);
	ck_assert_ptr_nonnull(fp = fopen(path, "wb"));
	ck_assert_uint_eq(fwrite(p, 1, n, fp), n);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(chmod(path, 0644), 0);
}

static void
fx_init(struct fix *f, unsigned header_ms, unsigned send_ms, int sndbuf)
{
	struct tftp_cache_cfg cc = { .max_file = 8u << 20, .max_total = 16u << 20 };
	union tftp_sa peer;
	socklen_t len;
	enum tftp_cache_err e;
	int se, sv[2];
	uint8_t small[5000];

	memset(f, 0, sizeof(*f));
	snprintf(f->root, sizeof(f->root), "%s/rootXXXXXX", tu_tmpdir());
	ck_assert_ptr_nonnull(mkdtemp(f->root));
	ck_assert_int_eq(chmod(f->root, 0755), 0);
	for (size_t i = 0; i < sizeof(small); i++)
		small[i] = (uint8_t)(i * 7 + 3);
	put(f, "CTLFile.tlv", small, sizeof(small));
	ck_assert_ptr_nonnull(f->big = malloc(BIG));
	for (size_t i = 0; i < BIG; i++)
		f->big[i] = (uint8_t)(i ^ (i >> 11));
	put(f, "big.bin", f->big, BIG);
	cc.root = f->root;
	ck_assert_ptr_nonnull(f->cache = tftp_cache_new(&cc, &e, &se));
	ck_assert_ptr_nonnull(f->loop = loop_new());
	loop_timer_init(&f->stop, on_stop, f);
	f->lim.header_timeout_ms = header_ms;
	f->lim.send_timeout_ms = send_ms;
	f->env = (struct http_conn_env){ f->loop, &f->lim, &f->st, fx_resolve, fx_closed, f, NULL };
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	if (sndbuf > 0)
		ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)), 0);
	f->peer = sv[1];
	ck_assert_int_eq(tftp_addr_parse("127.0.0.1:5000", 0, &peer, &len), 0);
	ck_assert_ptr_nonnull(f->conn = http_conn_new(&f->env, sv[0], &peer, f));
}

static void
fx_free(struct fix *f)
{
	http_conn_free(f->conn);
	loop_timer_cancel(f->loop, &f->stop);
	loop_free(f->loop);
	tftp_cache_free(f->cache);
	close(f->peer);
	free(f->big);
}

/* Runs the loop for ms milliseconds. */
static void
pump(struct fix *f, unsigned ms)
{
	ck_assert_int_eq(loop_timer_set(f->loop, &f->stop, ms), 0);
	ck_assert_int_eq(loop_run(f->loop), 0);
}

static void
say(struct fix *f, const char *s)
{
	ck_assert_int_eq(send(f->peer, s, strlen(s), 0), (ssize_t)strlen(s));
}

/* Appends what the client can read now to buf (cap bytes); -1 once at EOF. */
static ssize_t
hear(struct fix *f, uint8_t *buf, size_t cap, size_t *have)
{
	for (;;) {
		ssize_t r = recv(f->peer, buf + *have, cap - *have, MSG_DONTWAIT);

		if (r == 0)
			return -1;
		if (r < 0)
			return errno == EAGAIN ? 0 : -1;
		*have += (size_t)r;
		if (*have == cap)
			return 0;
	}
}

START_TEST(pipelined_in_order)
{
	struct fix f;
	uint8_t buf[16384];
	size_t n = 0;
	const char *h200 = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 5000\r\n\r\n";
	const char *h404 = "HTTP/1.1 404 Not Found\r\n";
	char *p;

	fx_init(&f, 5000, 5000, 0);
	say(&f, "GET /CTLFile.tlv HTTP/1.1\r\nHost: h\r\n\r\nGET /nothere HTTP/1.1\r\n\r\n"
	        "HEAD /CTLFile.tlv HTTP/1.1\r\n\r\n");
	pump(&f, 100);
	ck_assert_int_eq(hear(&f, buf, sizeof(buf), &n), 0);
	ck_assert_uint_ge(n, strlen(h200) + 5000);
	ck_assert_int_eq(memcmp(buf, h200, strlen(h200)), 0);
	for (size_t i = 0; i < 5000; i++)
		ck_assert_uint_eq(buf[strlen(h200) + i], (uint8_t)(i * 7 + 3));
	p = (char *)buf + strlen(h200) + 5000;
	ck_assert_int_eq(strncmp(p, h404, strlen(h404)), 0);
	p = strstr(p, "404 Not Found\n");
	ck_assert_ptr_nonnull(p);
	p += strlen("404 Not Found\n");
	ck_assert_uint_eq((size_t)((uint8_t *)p - buf) + strlen(h200), n); /* HEAD: the head only */
	ck_assert_int_eq(strncmp(p, h200, strlen(h200)), 0);
	ck_assert_uint_eq(f.st.http_requests, 3);
	ck_assert_uint_eq(f.st.http_ok, 2);
	ck_assert_uint_eq(f.st.http_notfound, 1);
	ck_assert_int_eq(f.closed, 0); /* keep-alive */
	fx_free(&f);
}
END_TEST

START_TEST(partial_writes_byte_exact)
{
	struct fix f;
	uint8_t *buf = malloc(BIG + 4096);
	size_t n = 0, head = 0;
	void *e;

	fx_init(&f, 5000, 5000, 4096);
	say(&f, "GET /big.bin HTTP/1.1\r\n\r\n");
	/* A 4 KiB send buffer: the server's writes are partial, resumed on each event. */
	for (int round = 0; round < 20000 && (head == 0 || n < head + BIG); round++) {
		pump(&f, 1);
		ck_assert_int_eq(hear(&f, buf, BIG + 4096, &n), 0);
		if (head == 0 && (e = memmem(buf, n, "\r\n\r\n", 4)) != NULL)
			head = (size_t)((uint8_t *)e - buf) + 4;
	}
	ck_assert_uint_ne(head, 0);
	ck_assert_uint_eq(n, head + BIG);
	ck_assert_int_eq(memcmp(buf + head, f.big, BIG), 0);
	ck_assert_uint_eq(f.st.http_bytes, BIG);
	ck_assert_int_eq(f.closed, 0);
	free(buf);
	fx_free(&f);
}
END_TEST

START_TEST(header_deadline_not_extended)
{
	struct fix f;
	uint8_t buf[1024];
	size_t n = 0;
	ssize_t r = 0;

	fx_init(&f, 100, 5000, 0);
	say(&f, "GET /CTLFile.tlv HTTP/1.1\r\n");
	/* One byte every 10 ms for up to a second: the deadline (100 ms) must still fire. */
	for (int i = 0; i < 100 && f.closed == 0 && r == 0; i++) {
		(void)send(f.peer, "X", 1, MSG_NOSIGNAL);
		pump(&f, 10);
		r = hear(&f, buf, sizeof(buf) - 1, &n);
	}
	pump(&f, 50);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr((char *)buf, "HTTP/1.1 408 Request Timeout\r\n"));
	ck_assert_ptr_nonnull(strstr((char *)buf, "Connection: close\r\n"));
	ck_assert_int_eq(hear(&f, buf, sizeof(buf) - 1, &n), -1); /* shut for writing: EOF */
	ck_assert_uint_eq(f.st.http_timeouts, 1);
	fx_free(&f);
}
END_TEST

START_TEST(http10_closes)
{
	struct fix f;
	uint8_t buf[8192];
	size_t n = 0;

	fx_init(&f, 5000, 5000, 0);
	say(&f, "GET /CTLFile.tlv HTTP/1.0\r\n\r\nGET /CTLFile.tlv HTTP/1.0\r\n\r\n");
	pump(&f, 50);
	ck_assert_int_eq(hear(&f, buf, sizeof(buf), &n), -1); /* one answer, then EOF */
	ck_assert_ptr_nonnull(memmem(buf, n, "Connection: close\r\n", 19));
	ck_assert_uint_eq(f.st.http_ok, 1);
	shutdown(f.peer, SHUT_WR);
	pump(&f, 50);
	ck_assert_int_eq(f.closed, 1); /* the lingering close saw the client's EOF */
	fx_free(&f);
}
END_TEST

START_TEST(eof_mid_head)
{
	struct fix f;
	uint8_t buf[64];
	size_t n = 0;

	fx_init(&f, 5000, 5000, 0);
	say(&f, "GET /CTLFil");
	shutdown(f.peer, SHUT_WR);
	pump(&f, 50);
	ck_assert_int_eq(f.closed, 1);
	ck_assert_int_eq(hear(&f, buf, sizeof(buf), &n), -1);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(f.st.http_requests, 0);
	fx_free(&f);
}
END_TEST

START_TEST(send_deadline)
{
	struct fix f;

	fx_init(&f, 5000, 100, 4096);
	say(&f, "GET /big.bin HTTP/1.1\r\n\r\n");
	for (int i = 0; i < 100 && f.closed == 0; i++)
		pump(&f, 10);
	ck_assert_int_eq(f.closed, 1);
	ck_assert_uint_eq(f.st.http_timeouts, 1);
	ck_assert_uint_lt(f.st.http_bytes, BIG);
	fx_free(&f);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("http_conn");
	TCase *ok = tcase_create("ok");
	TCase *lim = tcase_create("limits");

	tftp_log_setup("test_http_conn", TFTP_LOG_ERR);
	tcase_add_test(ok, pipelined_in_order);
	tcase_add_test(ok, partial_writes_byte_exact);
	tcase_add_test(ok, http10_closes);
	tcase_add_test(ok, eof_mid_head);
	tcase_add_test(lim, header_deadline_not_extended);
	tcase_add_test(lim, send_deadline);
	tcase_set_timeout(ok, 30);
	tcase_set_timeout(lim, 30);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, lim);
	return s;
}

CTL_TEST_MAIN(make_suite)
