/* SPDX-License-Identifier: Apache-2.0 */
/*
 * listener.c: the socket is bound where asked (port 0: the one the system
 * picked), a bad address is named; peer names in both families; the accept
 * loop serves an admitted connection in its own thread, refuses (and logs)
 * a second one from the same address past max_per_address, and stops on
 * SIGTERM after the running connection ended.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "listener.h"

static char logged[4096];

static void
log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
log_line(const char *fmt, ...)
{
	size_t n = strlen(logged);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(logged + n, sizeof(logged) - n, fmt, ap);
	va_end(ap);
	n = strlen(logged);
	snprintf(logged + n, sizeof(logged) - n, "\n");
}

START_TEST(open_and_names)
{
	struct listener_addr a;
	struct sockaddr_storage ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	char err[256], peer[80], addr[64];
	int fd;

	fd = listener_open("127.0.0.1", 0, 0, &a, err, sizeof(err));
	ck_assert_msg(fd >= 0, "%s", err);
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_str_eq(a.host, "127.0.0.1");
	ck_assert_uint_ne(a.port, 0);
	close(fd);
	ck_assert_int_eq(listener_open("localhost", 0, 0, &a, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "bad listen address localhost");

	memset(&ss, 0, sizeof(ss));
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(2445);
	s6->sin6_addr = in6addr_loopback;
	listener_peer_names(&ss, peer, sizeof(peer), addr, sizeof(addr));
	ck_assert_str_eq(peer, "[::1]:2445");
	ck_assert_str_eq(addr, "::1");
}
END_TEST

/* Answers "x" to the one byte it reads. */
static void
serve_one(void *ctx, int fd, const char *peer, const char *addr, const struct timespec *accepted)
{
	char c;

	(void)ctx;
	(void)peer;
	(void)addr;
	(void)accepted;
	if (read(fd, &c, 1) == 1)
		CTL_IGNORE_RESULT(write(fd, "x", 1));
	close(fd);
}

static void
no_reload(void *ctx)
{
	(void)ctx;
}

static void *
run_thread(void *arg)
{
	listener_run(arg);
	return NULL;
}

static int
dial(unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

START_TEST(accept_loop_caps_and_stop)
{
	struct connlimit limits;
	struct listener_addr a;
	struct listener l = {
		.limits = &limits, .max_connections = 4, .max_per_address = 1, .grace = 5,
		.serve = serve_one, .reload = no_reload, .log = log_line,
	};
	pthread_t th;
	char err[256], c = 0;
	int c1, c2;

	ck_assert_int_eq(connlimit_init(&limits, 4, 1), 0);
	listener_signals(0);
	l.fd = listener_open("127.0.0.1", 0, 0, &a, err, sizeof(err));
	ck_assert_msg(l.fd >= 0, "%s", err);
	ck_assert_int_eq(pthread_create(&th, NULL, run_thread, &l), 0);
	c1 = dial(a.port);
	c2 = dial(a.port);
	/* The second connection from 127.0.0.1 is closed unserved. */
	ck_assert_int_eq(read(c2, &c, 1), 0);
	ck_assert_int_eq(write(c1, "a", 1), 1);
	ck_assert_int_eq(read(c1, &c, 1), 1);
	ck_assert_int_eq(c, 'x');
	close(c1);
	close(c2);
	ck_assert_int_eq(raise(SIGTERM), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(l.fd, -1);
	ck_assert_uint_eq(connlimit_active(&limits), 0);
	ck_assert_msg(strstr(logged, "127.0.0.1 already holds 1 connections (max_per_address); "
	                     "refusing 127.0.0.1:") != NULL, "%s", logged);
	ck_assert_msg(strstr(logged, "stopped\n") != NULL, "%s", logged);
	connlimit_cleanup(&limits);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("listener");
	TCase *tc = tcase_create("listener");

	tcase_add_test(tc, open_and_names);
	tcase_add_test(tc, accept_loop_caps_and_stop);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
