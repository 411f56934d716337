/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS for the CTL Provider: TLS 1.2 or newer only, the node's CallManager
 * certificate and key, no renegotiation. Sockets are non-blocking and
 * every SSL call is retried after poll(2) until the connection's deadline,
 * so a whole message (or the handshake) must arrive within read_timeout:
 * a peer trickling one byte at a time cannot hold its thread longer.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "provider.h"

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

SSL_CTX *
prov_tls_ctx(const struct prov_config *cfg, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		ssl_reason(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
	                             SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		ssl_reason(err, errlen, "cannot require TLS 1.2");
		goto fail;
	}
	/*
	 * TLS 1.2: ECDHE only (a static-RSA key exchange would let whoever
	 * later gets the node's key decrypt recorded logins) and AEAD only.
	 * TLS 1.3 suites are all ECDHE/DHE and AEAD.
	 */
	if (SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL") != 1) {
		ssl_reason(err, errlen, "cannot restrict the TLS 1.2 cipher suites");
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1) {
		char what[PROV_PATH_MAX + 64];

		snprintf(what, sizeof(what), "tls_cert %s", cfg->tls_cert);
		ssl_reason(err, errlen, what);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1) {
		char what[PROV_PATH_MAX + 64];

		snprintf(what, sizeof(what), "tls_key %s", cfg->tls_key);
		ssl_reason(err, errlen, what);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ssl_reason(err, errlen, "tls_key does not match tls_cert");
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* Milliseconds left until c->deadline, at least 0. */
static int
remaining_ms(const struct prov_conn *c)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(c->deadline.tv_sec - now.tv_sec) * 1000 +
	     (c->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > 3600000 ? 3600000 : (int)ms;
}

/*
 * After an SSL call returned ret: waits for the readiness it asks for.
 * PROV_IO_OK means "call again".
 */
static CTL_MUST_USE enum prov_io
wait_ssl(struct prov_conn *c, int ret)
{
	int e = SSL_get_error(c->ssl, ret), ms, n;
	struct pollfd pfd = { .fd = c->fd };

	if (e == SSL_ERROR_WANT_READ)
		pfd.events = POLLIN;
	else if (e == SSL_ERROR_WANT_WRITE)
		pfd.events = POLLOUT;
	else if (e == SSL_ERROR_ZERO_RETURN)
		return PROV_IO_EOF;
	else
		return PROV_IO_ERROR;
	for (;;) {
		if ((ms = remaining_ms(c)) == 0)
			return PROV_IO_TIMEOUT;
		n = poll(&pfd, 1, ms);
		if (n > 0)
			return PROV_IO_OK;
		if (n == 0)
			return PROV_IO_TIMEOUT;
		if (errno != EINTR)
			return PROV_IO_ERROR;
	}
}

int
prov_conn_deadline(struct prov_conn *c, unsigned seconds)
{
	const struct timespec *l = &c->login_deadline;

	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	c->deadline.tv_sec += (time_t)seconds;
	if (c->authed || (l->tv_sec == 0 && l->tv_nsec == 0))
		return 0;
	if (l->tv_sec > c->deadline.tv_sec ||
	    (l->tv_sec == c->deadline.tv_sec && l->tv_nsec >= c->deadline.tv_nsec))
		return 0;
	c->deadline = *l;
	return 1;
}

enum prov_io
prov_tls_accept(struct prov_conn *c, char *msg, size_t msglen)
{
	enum prov_io io;
	int flags = fcntl(c->fd, F_GETFL);
	int ret, login_bound;

	msg[0] = '\0';
	if (flags < 0 || fcntl(c->fd, F_SETFL, flags | O_NONBLOCK) != 0) {
		snprintf(msg, msglen, "fcntl: %s", strerror(errno));
		return PROV_IO_ERROR;
	}
	if ((c->ssl = SSL_new(c->srv->ssl_ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		ssl_reason(msg, msglen, "SSL_new");
		return PROV_IO_ERROR;
	}
	login_bound = prov_conn_deadline(c, c->srv->cfg->read_timeout);
	ERR_clear_error();
	while ((ret = SSL_accept(c->ssl)) != 1) {
		if ((io = wait_ssl(c, ret)) != PROV_IO_OK) {
			if (io == PROV_IO_TIMEOUT)
				snprintf(msg, msglen, "no complete handshake within %u s",
				         login_bound ? c->srv->cfg->login_timeout :
				         c->srv->cfg->read_timeout);
			else
				ssl_reason(msg, msglen, "not a TLS 1.2+ client");
			return io == PROV_IO_EOF ? PROV_IO_ERROR : io;
		}
	}
	return PROV_IO_OK;
}

enum prov_io
prov_tls_read(struct prov_conn *c, void *p, size_t n)
{
	uint8_t *b = p;
	size_t got = 0;
	enum prov_io io;

	while (got < n) {
		size_t k = 0;
		int ret;

		ERR_clear_error();
		ret = SSL_read_ex(c->ssl, b + got, n - got, &k);
		if (ret == 1) {
			got += k;
			continue;
		}
		/* EOF before a message started is a clean close; inside one it is an error. */
		if ((io = wait_ssl(c, ret)) == PROV_IO_EOF)
			return got == 0 ? PROV_IO_EOF : PROV_IO_ERROR;
		if (io == PROV_IO_ERROR && got == 0 &&
		    SSL_get_error(c->ssl, ret) == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
			return PROV_IO_EOF; /* peer closed the socket without close_notify */
		if (io != PROV_IO_OK)
			return io;
	}
	return PROV_IO_OK;
}

enum prov_io
prov_tls_write(struct prov_conn *c, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t done = 0;
	enum prov_io io;

	/* A response (also the one announcing the login timeout) gets its own time. */
	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	c->deadline.tv_sec += (time_t)c->srv->cfg->read_timeout;
	while (done < n) {
		size_t k = 0;
		int ret;

		ERR_clear_error();
		ret = SSL_write_ex(c->ssl, b + done, n - done, &k);
		if (ret == 1) {
			done += k;
			continue;
		}
		if ((io = wait_ssl(c, ret)) != PROV_IO_OK)
			return io == PROV_IO_EOF ? PROV_IO_ERROR : io;
	}
	return PROV_IO_OK;
}

void
prov_tls_close(struct prov_conn *c)
{
	if (c->ssl != NULL) {
		/* Best effort close_notify; never wait for the peer's. */
		if (SSL_is_init_finished(c->ssl))
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}
