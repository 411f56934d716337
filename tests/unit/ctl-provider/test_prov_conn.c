/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prov_conn.c: one connection served end to end over a socket pair, with a
 * TLS client in the test: a request before LOGIN is answered and the
 * connection goes on; BYE closes it; a bad magic is answered with
 * BAD_REQUEST and closes it; a body whose items do not parse is answered
 * with BAD_REQUEST and the connection goes on (the framing is intact); a
 * message that does not arrive within read_timeout is answered and closed.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <ctl/ctl.h>
#include <ctl/prov.h>

#include "testutil.h"
#include "provider.h"
#include "prov_fixture.h"

struct pair {
	struct prov_config cfg;
	struct prov_server srv;
	pthread_t server;
	int sfd;                     /* the provider's end, closed by it */
	SSL_CTX *cctx;
	SSL *cl;                     /* the test's TLS client */
	int cfd;
};

static void *
serve_thread(void *arg)
{
	struct pair *p = arg;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	prov_conn_serve(&p->srv, p->sfd, "192.0.2.7:5000", "192.0.2.7", &now);
	return NULL;
}

/* A provider serving one end of a socket pair; a TLS client on the other. */
static void
pair_open(struct pair *p, unsigned read_timeout)
{
	int sv[2];
	char err[1024];
	struct timeval tv = { 20, 0 }; /* bounds every read of the client */

	memset(p, 0, sizeof(*p));
	/* As the daemon does: a write to a peer that left is an error, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	node_config(&p->cfg, tu_tmpdir());
	write_creds(p->cfg.credentials, "sha512");
	snprintf(p->cfg.tls_cert, sizeof(p->cfg.tls_cert), "%s", tu_pki("ccm1.pem"));
	snprintf(p->cfg.tls_key, sizeof(p->cfg.tls_key), "%s", tu_pki("ccm1.key"));
	p->cfg.read_timeout = read_timeout;
	p->srv.cfg = &p->cfg;
	p->srv.ssl_ctx = prov_tls_ctx(&p->cfg, err, sizeof(err));
	ck_assert_msg(p->srv.ssl_ctx != NULL, "%s", err);
	ck_assert_int_eq(prov_auth_init(&p->srv.auth, &p->cfg), 0);
	ck_assert_int_eq(prov_store_init(&p->srv.store, &p->cfg), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	p->sfd = sv[0];
	p->cfd = sv[1];
	ck_assert_int_eq(setsockopt(p->cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	ck_assert_int_eq(pthread_create(&p->server, NULL, serve_thread, p), 0);
	p->cctx = SSL_CTX_new(TLS_client_method());
	ck_assert_ptr_nonnull(p->cctx);
	p->cl = SSL_new(p->cctx);
	ck_assert_ptr_nonnull(p->cl);
	ck_assert_int_eq(SSL_set_fd(p->cl, p->cfd), 1);
	ck_assert_msg(SSL_connect(p->cl) == 1, "TLS handshake with the provider failed");
}

static void
pair_close(struct pair *p)
{
	SSL_free(p->cl);
	SSL_CTX_free(p->cctx);
	close(p->cfd);
	ck_assert_int_eq(pthread_join(p->server, NULL), 0);
	prov_store_cleanup(&p->srv.store);
	prov_auth_cleanup(&p->srv.auth);
	SSL_CTX_free(p->srv.ssl_ctx);
}

static void
send_bytes(struct pair *p, const void *b, size_t n)
{
	size_t k = 0;

	ck_assert_int_eq(SSL_write_ex(p->cl, b, n, &k), 1);
	ck_assert_uint_eq(k, n);
}

/* A request with the raw body bytes (the length patched by ctl_prov_end). */
static void
send_request(struct pair *p, uint8_t type, uint32_t id, const void *body, size_t n)
{
	struct ctl_wr w;

	ctl_wr_init(&w, 4096);
	ck_assert_int_eq(ctl_prov_begin(&w, type, 0, id), CTL_OK);
	if (n > 0)
		ck_assert_int_eq(ctl_wr_bytes(&w, body, n), CTL_OK);
	ck_assert_int_eq(ctl_prov_end(&w), CTL_OK);
	send_bytes(p, w.buf, w.len);
	ctl_wr_cleanup(&w);
}

/* Reads exactly n bytes; 0, or -1 at EOF before them. */
static int
read_exact(struct pair *p, uint8_t *b, size_t n)
{
	size_t got = 0;

	while (got < n) {
		size_t k = 0;

		if (SSL_read_ex(p->cl, b + got, n - got, &k) != 1)
			return -1;
		got += k;
	}
	return 0;
}

/* One response into m (its items point into body, which the caller frees). */
static uint8_t *
read_response(struct pair *p, struct ctl_prov_msg *m)
{
	uint8_t hdr[CTL_PROV_HDR_LEN], *body;
	struct ctl_diag d;

	ck_assert_int_eq(read_exact(p, hdr, sizeof(hdr)), 0);
	ck_assert_int_eq(ctl_prov_parse_header(hdr, sizeof(hdr), m, &d), CTL_OK);
	body = malloc(m->body_len + 1);
	ck_assert_ptr_nonnull(body);
	ck_assert_int_eq(read_exact(p, body, m->body_len), 0);
	ck_assert_int_eq(ctl_prov_parse_body(body, m->body_len, m, &d), CTL_OK);
	return body;
}

static void
assert_message(const struct ctl_prov_msg *m, const char *want)
{
	const struct ctl_prov_item *it = ctl_prov_find(m, CTL_PROV_T_MESSAGE);

	ck_assert_ptr_nonnull(it);
	ck_assert_int_eq((int)it->len, (int)strlen(want));
	ck_assert_mem_eq(it->val, want, it->len);
}

/* The provider closed the connection: the next read finds the end. */
static void
assert_closed(struct pair *p)
{
	uint8_t b;

	ck_assert_int_eq(read_exact(p, &b, 1), -1);
}

START_TEST(request_before_login_then_bye)
{
	struct pair p;
	struct ctl_prov_msg m;
	uint8_t *body;

	pair_open(&p, 10);
	send_request(&p, CTL_PROV_GET_STATUS, 7, NULL, 0);
	body = read_response(&p, &m);
	ck_assert_uint_eq(m.type, CTL_PROV_GET_STATUS | CTL_PROV_RESPONSE);
	ck_assert_uint_eq(m.id, 7);
	ck_assert_uint_eq(m.status, CTL_PROV_AUTH_REQUIRED);
	assert_message(&m, "GET_STATUS before LOGIN");
	free(body);
	send_request(&p, CTL_PROV_BYE, 8, NULL, 0);
	body = read_response(&p, &m);
	ck_assert_uint_eq(m.id, 8);
	ck_assert_uint_eq(m.status, CTL_PROV_OK);
	free(body);
	assert_closed(&p);
	pair_close(&p);
}
END_TEST

START_TEST(bad_magic_answered_and_closed)
{
	struct pair p;
	struct ctl_prov_msg m;
	uint8_t junk[CTL_PROV_HDR_LEN], *body;

	memset(junk, 'X', sizeof(junk));
	pair_open(&p, 10);
	send_bytes(&p, junk, sizeof(junk));
	body = read_response(&p, &m);
	ck_assert_uint_eq(m.type, CTL_PROV_RESPONSE);
	ck_assert_uint_eq(m.id, 0);
	ck_assert_uint_eq(m.status, CTL_PROV_BAD_REQUEST);
	ck_assert_ptr_nonnull(ctl_prov_find(&m, CTL_PROV_T_MESSAGE));
	free(body);
	assert_closed(&p);
	pair_close(&p);
}
END_TEST

START_TEST(malformed_body_connection_goes_on)
{
	static const uint8_t cut[] = { 0x00, 0x01, 0x00 }; /* an item header cut short */
	struct pair p;
	struct ctl_prov_msg m;
	const struct ctl_prov_item *it;
	uint8_t *body;

	pair_open(&p, 10);
	send_request(&p, CTL_PROV_LOGIN, 21, cut, sizeof(cut));
	body = read_response(&p, &m);
	ck_assert_uint_eq(m.type, CTL_PROV_LOGIN | CTL_PROV_RESPONSE);
	ck_assert_uint_eq(m.id, 21);
	ck_assert_uint_eq(m.status, CTL_PROV_BAD_REQUEST);
	it = ctl_prov_find(&m, CTL_PROV_T_MESSAGE);
	ck_assert_ptr_nonnull(it);
	ck_assert_ptr_nonnull(memmem(it->val, it->len, "offset", 6));
	free(body);
	/* The framing was intact: the next request is served. */
	send_request(&p, CTL_PROV_GET_INFO, 22, NULL, 0);
	body = read_response(&p, &m);
	ck_assert_uint_eq(m.id, 22);
	ck_assert_uint_eq(m.status, CTL_PROV_AUTH_REQUIRED);
	free(body);
	pair_close(&p);
}
END_TEST

/* Part of a header, then nothing: answered when read_timeout (1 s) ends, then closed. */
START_TEST(read_timeout_answered_and_closed)
{
	struct pair p;
	struct ctl_prov_msg m;
	uint8_t *body;

	pair_open(&p, 1);
	send_bytes(&p, "CTLP", 4);
	body = read_response(&p, &m);
	ck_assert_uint_eq(m.status, CTL_PROV_BAD_REQUEST);
	assert_message(&m, "read timeout: no complete message");
	free(body);
	assert_closed(&p);
	pair_close(&p);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov_conn");
	TCase *tc = tcase_create("conn");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, request_before_login_then_bye);
	tcase_add_test(tc, bad_magic_answered_and_closed);
	tcase_add_test(tc, malformed_body_connection_goes_on);
	tcase_add_test(tc, read_timeout_answered_and_closed);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
