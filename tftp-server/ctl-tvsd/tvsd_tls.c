/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS for ctl-tvsd. By default TLS 1.2 or newer with AEAD suites only;
 * tls_min = 1.0 (79xx phones speak only TLS 1.0) adds TLS 1.0/1.1 and the
 * AES-CBC suites those phones offer, at OpenSSL security level 0 (SHA-1
 * handshake signatures): a weaker setting, for sites with such phones.
 * Static-RSA AES-GCM stays allowed after the ECDHE suites: Cisco's own TVS
 * offers it, and an answer is public data (integrity, not secrecy).
 *
 * Sockets are non-blocking and every SSL call is retried after poll(2)
 * until the connection's deadline, so the handshake and the whole request
 * must arrive within read_timeout: a peer trickling bytes cannot hold a
 * thread longer.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "tvsd.h"

static void
ssl_reason(char *msg, size_t msglen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "";

	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	snprintf(msg, msglen, "%s%s%s", what, buf[0] != '\0' ? ": " : "", buf);
}

/* Without client_ca the certificate is asked for but its chain not checked. */
static int
accept_any(int preverify, X509_STORE_CTX *x)
{
	(void)preverify;
	(void)x;
	return 1;
}

static CTL_MUST_USE int
setup_client_certs(SSL_CTX *ctx, const struct tvsd_config *cfg, char *err, size_t errlen)
{
	int mode = SSL_VERIFY_PEER;

	if (cfg->verify_client == TVSD_CLIENT_NO) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		return 0;
	}
	if (cfg->verify_client == TVSD_CLIENT_REQUIRE)
		mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	if (cfg->client_ca[0] == '\0') {
		SSL_CTX_set_verify(ctx, mode, accept_any);
		return 0;
	}
	if (SSL_CTX_load_verify_locations(ctx, cfg->client_ca, NULL) != 1) {
		char what[TVSD_PATH_MAX + 32];

		snprintf(what, sizeof(what), "client_ca %s", cfg->client_ca);
		ssl_reason(err, errlen, what);
		return -1;
	}
	{
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(cfg->client_ca);

		/* The CA names the server announces: the client picks its certificate by them. */
		if (names != NULL)
			SSL_CTX_set_client_CA_list(ctx, names);
	}
	SSL_CTX_set_verify(ctx, mode, NULL);
	SSL_CTX_set_verify_depth(ctx, 4);
	return 0;
}

SSL_CTX *
tvsd_tls_ctx(const struct tvsd_config *cfg, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	const char *ciphers = cfg->tls_min == 10 ?
		"ECDHE+AESGCM:ECDHE+CHACHA20:AESGCM:ECDHE+AES:AES256-SHA:AES128-SHA:"
		"!aNULL:!eNULL:@SECLEVEL=0" :
		"ECDHE+AESGCM:ECDHE+CHACHA20:AESGCM:!aNULL:!eNULL";
	char what[TVSD_PATH_MAX + 32];

	if (ctx == NULL) {
		ssl_reason(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
	                             SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_TICKET);
	/* Phones do not resume sessions ("caching disabled, session not saved"). */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (SSL_CTX_set_min_proto_version(ctx, cfg->tls_min == 10 ? TLS1_VERSION :
	                                  TLS1_2_VERSION) != 1) {
		ssl_reason(err, errlen, "cannot set the lowest TLS version");
		goto fail;
	}
	if (SSL_CTX_set_cipher_list(ctx, ciphers) != 1) {
		ssl_reason(err, errlen, "cannot set the TLS 1.2 cipher suites");
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1) {
		snprintf(what, sizeof(what), "tls_cert %s", cfg->tls_cert);
		ssl_reason(err, errlen, what);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1) {
		snprintf(what, sizeof(what), "tls_key %s", cfg->tls_key);
		ssl_reason(err, errlen, what);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ssl_reason(err, errlen, "tls_key does not match tls_cert");
		goto fail;
	}
	if (setup_client_certs(ctx, cfg, err, errlen) != 0)
		goto fail;
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

void
tvsd_tls_deadline(struct tvsd_tls *t, unsigned seconds)
{
	clock_gettime(CLOCK_MONOTONIC, &t->deadline);
	t->deadline.tv_sec += (time_t)seconds;
}

/* Milliseconds left until t->deadline, at least 0. */
static int
remaining_ms(const struct tvsd_tls *t)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(t->deadline.tv_sec - now.tv_sec) * 1000 +
	     (t->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > 3600000 ? 3600000 : (int)ms;
}

/* After an SSL call returned ret: waits for what it asks. TVSD_IO_OK: call again. */
static CTL_MUST_USE enum tvsd_io
wait_ssl(struct tvsd_tls *t, int ret)
{
	int e = SSL_get_error(t->ssl, ret), ms, n;
	struct pollfd pfd = { .fd = t->fd };

	if (e == SSL_ERROR_WANT_READ)
		pfd.events = POLLIN;
	else if (e == SSL_ERROR_WANT_WRITE)
		pfd.events = POLLOUT;
	else if (e == SSL_ERROR_ZERO_RETURN)
		return TVSD_IO_EOF;
	else
		return TVSD_IO_ERROR;
	for (;;) {
		if ((ms = remaining_ms(t)) == 0)
			return TVSD_IO_TIMEOUT;
		n = poll(&pfd, 1, ms);
		if (n > 0)
			return TVSD_IO_OK;
		if (n == 0)
			return TVSD_IO_TIMEOUT;
		if (errno != EINTR)
			return TVSD_IO_ERROR;
	}
}

enum tvsd_io
tvsd_tls_accept(struct tvsd_tls *t, SSL_CTX *ctx, char *msg, size_t msglen)
{
	int flags = fcntl(t->fd, F_GETFL), ret;
	enum tvsd_io io;

	msg[0] = '\0';
	if (flags < 0 || fcntl(t->fd, F_SETFL, flags | O_NONBLOCK) != 0) {
		snprintf(msg, msglen, "fcntl: %s", strerror(errno));
		return TVSD_IO_ERROR;
	}
	if ((t->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(t->ssl, t->fd) != 1) {
		ssl_reason(msg, msglen, "SSL_new");
		return TVSD_IO_ERROR;
	}
	ERR_clear_error();
	while ((ret = SSL_accept(t->ssl)) != 1) {
		if ((io = wait_ssl(t, ret)) != TVSD_IO_OK) {
			if (io == TVSD_IO_TIMEOUT)
				snprintf(msg, msglen, "no complete handshake before the deadline");
			else
				ssl_reason(msg, msglen, "TLS handshake failed");
			return io == TVSD_IO_EOF ? TVSD_IO_ERROR : io;
		}
	}
	return TVSD_IO_OK;
}

enum tvsd_io
tvsd_tls_read(struct tvsd_tls *t, void *p, size_t n, size_t *got)
{
	uint8_t *b = p;
	enum tvsd_io io;

	*got = 0;
	while (*got < n) {
		size_t k = 0;
		int ret;

		ERR_clear_error();
		ret = SSL_read_ex(t->ssl, b + *got, n - *got, &k);
		if (ret == 1) {
			*got += k;
			continue;
		}
		io = wait_ssl(t, ret);
		if (io == TVSD_IO_ERROR && SSL_get_error(t->ssl, ret) == SSL_ERROR_SYSCALL &&
		    ERR_peek_error() == 0)
			io = TVSD_IO_EOF; /* closed without close_notify */
		if (io != TVSD_IO_OK)
			return io;
	}
	return TVSD_IO_OK;
}

enum tvsd_io
tvsd_tls_write(struct tvsd_tls *t, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t done = 0;
	enum tvsd_io io;

	while (done < n) {
		size_t k = 0;
		int ret;

		ERR_clear_error();
		ret = SSL_write_ex(t->ssl, b + done, n - done, &k);
		if (ret == 1) {
			done += k;
			continue;
		}
		if ((io = wait_ssl(t, ret)) != TVSD_IO_OK)
			return io == TVSD_IO_EOF ? TVSD_IO_ERROR : io;
	}
	return TVSD_IO_OK;
}

void
tvsd_tls_close(struct tvsd_tls *t)
{
	if (t->ssl != NULL) {
		/* Best effort close_notify; never wait for the peer's. */
		if (SSL_is_init_finished(t->ssl))
			SSL_shutdown(t->ssl);
		SSL_free(t->ssl);
		t->ssl = NULL;
	}
	if (t->fd >= 0) {
		close(t->fd);
		t->fd = -1;
	}
}
