/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tls_server.c: the context refuses a missing certificate and a key that
 * does not match it, naming the file; a handshake with a silent peer ends
 * at the deadline, one with a peer that hangs up is an error; a real
 * client's bytes arrive whole, the answer reaches it, and its close is EOF.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"
#include "tls_server.h"

static SSL_CTX *
server_ctx(void)
{
	char err[512];
	SSL_CTX *ctx = tls_server_ctx(TLS1_2_VERSION, "ECDHE+AESGCM:!aNULL", tu_pki("ccm1.pem"),
	                              tu_pki("ccm1.key"), err, sizeof(err));

	ck_assert_msg(ctx != NULL, "%s", err);
	return ctx;
}

START_TEST(ctx_errors_name_the_file)
{
	char err[512];

	ck_assert_ptr_null(tls_server_ctx(TLS1_2_VERSION, "ECDHE+AESGCM", "/nonexistent/c.pem",
	                                  tu_pki("ccm1.key"), err, sizeof(err)));
	ck_assert_msg(strncmp(err, "tls_cert /nonexistent/c.pem", 27) == 0, "%s", err);
	ck_assert_ptr_null(tls_server_ctx(TLS1_2_VERSION, "ECDHE+AESGCM", tu_pki("ccm1.pem"),
	                                  tu_pki("ccm2.key"), err, sizeof(err)));
	ck_assert_msg(strncmp(err, "tls_key", 7) == 0, "%s", err);
	ck_assert_ptr_null(tls_server_ctx(TLS1_2_VERSION, "NO-SUCH-SUITE", tu_pki("ccm1.pem"),
	                                  tu_pki("ccm1.key"), err, sizeof(err)));
	ck_assert_msg(strncmp(err, "cannot set the TLS 1.2 cipher suites", 36) == 0, "%s", err);
}
END_TEST

START_TEST(handshake_deadline_and_hangup)
{
	SSL_CTX *ctx = server_ctx();
	struct tls_conn t;
	char msg[256];
	int sv[2];

	/* A peer that never speaks: the deadline (1 s) ends the handshake. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	t.fd = sv[0];
	t.ssl = NULL;
	tls_conn_deadline(&t, 1);
	ck_assert_int_eq(tls_conn_accept(&t, ctx, "handshake failed", msg, sizeof(msg)),
	                 TLS_IO_TIMEOUT);
	ck_assert_str_eq(msg, "no complete handshake before the deadline");
	tls_conn_close(&t);
	ck_assert_int_eq(t.fd, -1);
	ck_assert_ptr_null(t.ssl);
	close(sv[1]);

	/* A peer that hangs up: an error named by the caller's words. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	t.fd = sv[0];
	t.ssl = NULL;
	tls_conn_deadline(&t, 10);
	ck_assert_int_eq(tls_conn_accept(&t, ctx, "handshake failed", msg, sizeof(msg)),
	                 TLS_IO_ERROR);
	ck_assert_msg(strncmp(msg, "handshake failed", 16) == 0, "%s", msg);
	tls_conn_close(&t);
	SSL_CTX_free(ctx);
}
END_TEST

/* The client: sends "hello", reads "ok", closes with close_notify. */
static void *
client(void *arg)
{
	int fd = *(int *)arg;
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = SSL_new(cctx);
	char buf[2];
	intptr_t ok = 0;

	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) == 1 && SSL_write(ssl, "hello", 5) == 5 && SSL_read(ssl, buf, 2) == 2 &&
	    memcmp(buf, "ok", 2) == 0)
		ok = 1;
	SSL_shutdown(ssl);
	SSL_free(ssl);
	SSL_CTX_free(cctx);
	close(fd);
	return (void *)ok;
}

START_TEST(request_answer_eof)
{
	SSL_CTX *ctx = server_ctx();
	struct tls_conn t;
	pthread_t th;
	char msg[256], buf[8];
	size_t got = 0;
	void *ok;
	int sv[2];

	/* As in the daemons: a write to a peer that left is an error, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, client, &sv[1]), 0);
	t.fd = sv[0];
	t.ssl = NULL;
	tls_conn_deadline(&t, 20);
	ck_assert_int_eq(tls_conn_accept(&t, ctx, "handshake failed", msg, sizeof(msg)), TLS_IO_OK);
	ck_assert_int_eq(tls_conn_read(&t, buf, 5, &got), TLS_IO_OK);
	ck_assert_uint_eq(got, 5);
	ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
	ck_assert_int_eq(tls_conn_write(&t, "ok", 2), TLS_IO_OK);
	ck_assert_int_eq(tls_conn_read(&t, buf, 1, &got), TLS_IO_EOF);
	ck_assert_uint_eq(got, 0);
	ck_assert_int_eq(pthread_join(th, &ok), 0);
	ck_assert_ptr_eq(ok, (void *)1);
	tls_conn_close(&t);
	SSL_CTX_free(ctx);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("tls_server");
	TCase *tc = tcase_create("tls_server");

	tcase_add_test(tc, ctx_errors_name_the_file);
	tcase_add_test(tc, handshake_deadline_and_hangup);
	tcase_add_test(tc, request_answer_eof);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
